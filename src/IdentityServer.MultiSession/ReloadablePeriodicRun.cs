using Microsoft.Extensions.Options;

namespace IdentityServer.MultiSession;

/// <summary>
/// The loop of the library's background services: a run at once, then one every period read from the options, on the host's
/// <see cref="TimeProvider"/>; a reloaded period applies from the next tick. A failing run is handed to the caller (to log) and
/// the next tick tries again; the loop ends when the host stops.
/// </summary>
internal static class ReloadablePeriodicRun
{
    public static async Task RunAsync(
        IOptionsMonitor<MultiSessionOptions> options,
        Func<MultiSessionOptions, TimeSpan> period,
        TimeProvider time,
        Func<CancellationToken, Task> run,
        Action<Exception> failed,
        CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(period(options.CurrentValue), time);
        using var reload = options.OnChange(changed =>
        {
            try
            {
                var next = period(changed);
                if (timer.Period != next)
                {
                    timer.Period = next;
                }
            }
            catch (ObjectDisposedException)
            {
                // The service has stopped.
            }
        });
        try
        {
            do
            {
                try
                {
                    await run(stoppingToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    failed(exception);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }
}
