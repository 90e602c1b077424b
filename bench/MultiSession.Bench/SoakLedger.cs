using System.Collections.Concurrent;
using System.Diagnostics;

namespace MultiSession.Bench;

/// <summary>One request of the soak that did not get an ordinary answer: a 5xx, a connection error or a timeout.</summary>
internal sealed record SoakIncident(TimeSpan At, int Instance, string Method, string Path, string What);

/// <summary>A window of the run (an outage), from <see cref="From"/> to <see cref="To"/> (run time).</summary>
internal sealed record SoakWindow(TimeSpan From, TimeSpan To)
{
    public bool Contains(TimeSpan at, TimeSpan grace) => at >= From && at <= To + grace;
}

/// <summary>
/// Everything the soak's virtual browsers saw, counted as it happens: every request's outcome (answered with a status,
/// connection error, timeout) and instance, and the multi-session operations with their results, including the session ids
/// that received tokens and those the browsers ended.
/// </summary>
internal sealed class SoakLedger
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentDictionary<string, long> _counters = new(StringComparer.Ordinal);
    private long _maxLatencyTicks;

    /// <summary>Time since the run started.</summary>
    public TimeSpan Now => _clock.Elapsed;

    public ConcurrentDictionary<int, long> Statuses { get; } = new();

    public long[] RequestsPerInstance { get; } = new long[2];

    public ConcurrentQueue<SoakIncident> ServerErrors { get; } = new();

    public ConcurrentQueue<SoakIncident> ConnectionErrors { get; } = new();

    public ConcurrentQueue<SoakIncident> Timeouts { get; } = new();

    /// <summary>Session ids (<c>sid</c>) for which the client received an ID token.</summary>
    public ConcurrentDictionary<string, byte> SidsWithTokens { get; } = new(StringComparer.Ordinal);

    /// <summary>Session ids that a browser ended (a revoke or sign-out answered 200).</summary>
    public ConcurrentDictionary<string, byte> EndedSids { get; } = new(StringComparer.Ordinal);

    public TimeSpan MaxLatency => TimeSpan.FromTicks(Interlocked.Read(ref _maxLatencyTicks));

    public long Requests => RequestsPerInstance.Sum();

    public void Count(string name, long by = 1) => _counters.AddOrUpdate(name, by, (_, value) => value + by);

    public void Max(string name, long value) => _counters.AddOrUpdate(name, value, (_, current) => Math.Max(current, value));

    public IEnumerable<string> Names => _counters.Keys;

    public long this[string name] => _counters.TryGetValue(name, out var value) ? value : 0;

    public void Answered(int instance, int status, TimeSpan latency, string method, string path)
    {
        Interlocked.Increment(ref RequestsPerInstance[instance]);
        Statuses.AddOrUpdate(status, 1, (_, value) => value + 1);
        if (status >= 500)
        {
            ServerErrors.Enqueue(new SoakIncident(Now, instance, method, path, status.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        var ticks = latency.Ticks;
        var current = Interlocked.Read(ref _maxLatencyTicks);
        while (ticks > current)
        {
            var seen = Interlocked.CompareExchange(ref _maxLatencyTicks, ticks, current);
            if (seen == current)
            {
                break;
            }

            current = seen;
        }
    }

    public void ConnectionError(int instance, string method, string path, string error)
    {
        Interlocked.Increment(ref RequestsPerInstance[instance]);
        ConnectionErrors.Enqueue(new SoakIncident(Now, instance, method, path, error));
    }

    public void TimedOut(int instance, string method, string path)
    {
        Interlocked.Increment(ref RequestsPerInstance[instance]);
        Timeouts.Enqueue(new SoakIncident(Now, instance, method, path, "no answer within the request timeout"));
    }
}
