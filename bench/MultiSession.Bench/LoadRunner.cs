using System.Diagnostics;

namespace MultiSession.Bench;

/// <summary>What one scenario measured: operations completed in the measured window and their latencies.</summary>
internal sealed class Measurement
{
    private readonly List<double> _latenciesMs = [];

    public int Operations => _latenciesMs.Count;

    public int Errors { get; private set; }

    public double Seconds { get; private set; }

    public double OperationsPerSecond => Seconds > 0 ? Operations / Seconds : 0;

    public double P50 => Percentile(0.50);

    public double P95 => Percentile(0.95);

    public double P99 => Percentile(0.99);

    /// <summary>Adds another run of the same scenario (several rounds are pooled into one measurement).</summary>
    public void Add(IEnumerable<double> latenciesMs, int errors, double seconds)
    {
        _latenciesMs.AddRange(latenciesMs);
        _latenciesMs.Sort();
        Errors += errors;
        Seconds += seconds;
    }

    /// <summary>Nearest-rank percentile of the pooled latencies, in milliseconds.</summary>
    public double Percentile(double p)
    {
        if (_latenciesMs.Count == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(p * _latenciesMs.Count);
        return _latenciesMs[Math.Clamp(rank - 1, 0, _latenciesMs.Count - 1)];
    }
}

/// <summary>
/// Runs one operation in a closed loop on every virtual browser at once (one request in flight per browser): a warm-up whose
/// results are dropped, then a fixed measured window. An operation counts when it starts and ends inside the window.
/// </summary>
internal static class LoadRunner
{
    public static async Task RunAsync(
        IReadOnlyList<VirtualBrowser> browsers,
        Func<VirtualBrowser, Task<bool>> operation,
        TimeSpan warmUp,
        TimeSpan duration,
        Measurement into)
    {
        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + (long)(warmUp.TotalSeconds * Stopwatch.Frequency);
        var measureTo = measureFrom + (long)(duration.TotalSeconds * Stopwatch.Frequency);

        var workers = browsers.Select(browser => Task.Run(async () =>
        {
            var latencies = new List<double>(4096);
            var errors = 0;
            while (true)
            {
                var begin = Stopwatch.GetTimestamp();
                if (begin >= measureTo)
                {
                    break;
                }

                bool ok;
                try
                {
                    ok = await operation(browser);
                }
                catch (HttpRequestException)
                {
                    ok = false;
                }
                catch (TaskCanceledException)
                {
                    ok = false;
                }

                var end = Stopwatch.GetTimestamp();
                if (begin >= measureFrom && end <= measureTo)
                {
                    if (ok)
                    {
                        latencies.Add((end - begin) * 1000.0 / Stopwatch.Frequency);
                    }
                    else
                    {
                        errors++;
                    }
                }
            }

            return (latencies, errors);
        })).ToList();

        var results = await Task.WhenAll(workers);
        into.Add(results.SelectMany(r => r.latencies), results.Sum(r => r.errors), duration.TotalSeconds);
    }
}
