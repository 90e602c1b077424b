using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace IdentityServer.MultiSession.Metrics;

/// <summary>
/// Refreshes the snapshot that <see cref="MultiSessionMetrics"/>' observable gauges answer with: once at start, then every
/// <see cref="MultiSessionOptions.MetricsRefreshInterval"/> on the host's <see cref="TimeProvider"/> (a reloaded interval
/// applies from the next tick). A scrape reads the snapshot only, so a slow or unreachable database never holds it up.
/// </summary>
internal sealed class MultiSessionMetricsRefresher : BackgroundService
{
    private readonly MultiSessionMetrics _metrics;
    private readonly IOptionsMonitor<MultiSessionOptions> _options;
    private readonly TimeProvider _time;

    /// <summary>Creates the refresher.</summary>
    public MultiSessionMetricsRefresher(MultiSessionMetrics metrics, IOptionsMonitor<MultiSessionOptions> options, TimeProvider time)
    {
        _metrics = metrics;
        _options = options;
        _time = time;
    }

    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        // RefreshAsync logs its own failures and keeps the last snapshot.
        ReloadablePeriodicRun.RunAsync(_options, o => o.MetricsRefreshInterval, _time, _metrics.RefreshAsync, _ => { }, stoppingToken);
}
