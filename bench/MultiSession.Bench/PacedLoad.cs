using System.Diagnostics;

namespace MultiSession.Bench;

/// <summary>
/// Virtual browsers at a steady pace, unlike <see cref="LoadRunner"/>'s closed loop: each browser starts a request every
/// 1 ÷ rate seconds (or at once when the previous one ran late), until stopped. Below the machine's capacity, a request's
/// latency then shows what else the host is doing (a cleanup, a delivery), not only how full the processor is.
/// </summary>
internal static class PacedLoad
{
    /// <summary>Runs until <paramref name="stop"/> is cancelled; every request that started before counts.</summary>
    public static async Task RunAsync(
        IReadOnlyList<VirtualBrowser> browsers,
        Func<VirtualBrowser, Task<bool>> operation,
        double ratePerBrowser,
        CancellationToken stop,
        Measurement into)
    {
        var interval = TimeSpan.FromSeconds(1 / ratePerBrowser);
        var started = Stopwatch.StartNew();
        var workers = browsers.Select((browser, index) => Task.Run(async () =>
        {
            var latencies = new List<double>(1024);
            var errors = 0;

            // The browsers start spread over one interval, not all at once.
            var next = started.Elapsed + interval * index / browsers.Count;
            while (!stop.IsCancellationRequested)
            {
                var wait = next - started.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    try
                    {
                        await Task.Delay(wait, stop);
                    }
                    catch (TaskCanceledException)
                    {
                        break;
                    }
                }

                var begin = Stopwatch.GetTimestamp();
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

                if (ok)
                {
                    latencies.Add(Stopwatch.GetElapsedTime(begin).TotalMilliseconds);
                }
                else
                {
                    errors++;
                }

                next += interval;
                if (next < started.Elapsed)
                {
                    next = started.Elapsed;
                }
            }

            return (latencies, errors);
        }, CancellationToken.None)).ToList();

        var results = await Task.WhenAll(workers);
        into.Add(results.SelectMany(r => r.latencies), results.Sum(r => r.errors), started.Elapsed.TotalSeconds);
    }

    /// <summary>Runs for <paramref name="duration"/>.</summary>
    public static async Task<Measurement> RunForAsync(IReadOnlyList<VirtualBrowser> browsers, Func<VirtualBrowser, Task<bool>> operation, double ratePerBrowser, TimeSpan duration)
    {
        using var stop = new CancellationTokenSource(duration);
        var measurement = new Measurement();
        await RunAsync(browsers, operation, ratePerBrowser, stop.Token, measurement);
        return measurement;
    }

    /// <summary>Runs while <paramref name="work"/> runs; returns the measurement and the work's result.</summary>
    public static async Task<(Measurement During, T Result)> RunWhileAsync<T>(IReadOnlyList<VirtualBrowser> browsers, Func<VirtualBrowser, Task<bool>> operation, double ratePerBrowser, Func<Task<T>> work)
    {
        using var stop = new CancellationTokenSource();
        var measurement = new Measurement();
        var load = RunAsync(browsers, operation, ratePerBrowser, stop.Token, measurement);
        T result;
        try
        {
            result = await Task.Run(work);
        }
        finally
        {
            await stop.CancelAsync();
            await load;
        }

        return (measurement, result);
    }
}
