using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using IdentityServer.MultiSession.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityServer.MultiSession.Tests.Infrastructure;

/// <summary>
/// Listens, with a <see cref="MeterListener"/>, to the multi-session meter of ONE host (the meter its own
/// <see cref="IMeterFactory"/> created; other hosts of parallel tests have meters of the same name) and sums what it records.
/// </summary>
public sealed class MeterRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, double> _sums = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(string Name, double Value)> _measurements = new();

    public MeterRecorder(IServiceProvider hostServices)
    {
        var factory = hostServices.GetRequiredService<IMeterFactory>();

        // Resolving the metrics creates the meter (it is created on first use).
        hostServices.GetRequiredService<MultiSessionMetrics>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MultiSessionMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, factory))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>The instruments this recorder listens to.</summary>
    public IReadOnlyCollection<string> Published => _sums.Keys.ToList();

    /// <summary>The sum recorded by <paramref name="name"/>, with the tag <c>reason</c> = <paramref name="reason"/> when given.</summary>
    public double Sum(string name, string? reason = null) => _sums.GetValueOrDefault(Key(name, reason));

    /// <summary>Every value recorded by <paramref name="name"/> (histograms, gauges), in order.</summary>
    public IReadOnlyList<double> Values(string name) => _measurements.Where(m => m.Name == name).Select(m => m.Value).ToList();

    /// <summary>Reads the observable instruments now (as a scrape or an export does).</summary>
    public void Observe() => _listener.RecordObservableInstruments();

    public void Dispose() => _listener.Dispose();

    private static string Key(string name, string? reason) => reason is null ? name : $"{name}|{reason}";

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        _measurements.Enqueue((instrument.Name, value));
        _sums.AddOrUpdate(instrument.Name, value, (_, sum) => sum + value);
        foreach (var tag in tags)
        {
            if (tag.Key == MultiSessionMetrics.ReasonTag)
            {
                _sums.AddOrUpdate(Key(instrument.Name, tag.Value?.ToString()), value, (_, sum) => sum + value);
            }
        }
    }
}
