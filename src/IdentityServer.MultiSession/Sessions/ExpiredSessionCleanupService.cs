using System.Diagnostics;
using IdentityServer.MultiSession.Events;
using IdentityServer.MultiSession.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IdentityServer.MultiSession.Sessions;

/// <summary>
/// Removes expired device sessions from storage in batches, every <see cref="MultiSessionOptions.CleanupInterval"/> (BEHAVIOUR.md §3.8).
/// A failing run is logged and the next interval tries again.
/// </summary>
internal sealed class ExpiredSessionCleanupService : BackgroundService
{
    private readonly IServiceScopeFactory _scopes;
    private readonly IOptionsMonitor<MultiSessionOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Creates the service.</summary>
    public ExpiredSessionCleanupService(
        IServiceScopeFactory scopes,
        IOptionsMonitor<MultiSessionOptions> options,
        TimeProvider time,
        ILogger<ExpiredSessionCleanupService> logger)
    {
        _scopes = scopes;
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>Runs one cleanup: removes expired sessions, a batch at a time, until none is left; returns how many were removed.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        // A run of its own has a trace id of its own: the log lines and events of the sessions it removes carry it.
        using var activity = Activity.Current is null ? new Activity("IdentityServer.MultiSession.ExpiredSessionCleanup").Start() : null;
        var batchSize = _options.CurrentValue.CleanupBatchSize;
        await RemoveExpiredRememberedAccountsAsync(batchSize, cancellationToken);
        var total = 0;
        while (true)
        {
            await using var scope = _scopes.CreateAsyncScope();
            var store = scope.ServiceProvider.GetRequiredService<IDeviceSessionStore>();
            var removed = await store.RemoveExpiredSessionsAsync(_time.GetUtcNow(), batchSize, cancellationToken);
            total += removed.Count;
            if (scope.ServiceProvider.GetService<MultiSessionEventRaiser>() is { } events)
            {
                await events.RevokedAsync(scope.ServiceProvider, null, removed, SessionEndReason.Expiry);
            }

            if (removed.Count < batchSize)
            {
                break;
            }
        }

        if (total > 0)
        {
            Log.CleanupRemoved(_logger, total);
        }

        return total;
    }

    /// <summary>
    /// Removes the accounts remembered as signed out whose <see cref="MultiSessionOptions.RememberedAccountLifetime"/> has
    /// passed, before the sessions, so that a device left with neither goes in the same run.
    /// </summary>
    private async Task RemoveExpiredRememberedAccountsAsync(int batchSize, CancellationToken cancellationToken)
    {
        var before = _time.GetUtcNow() - _options.CurrentValue.RememberedAccountLifetime;
        var total = 0;
        while (true)
        {
            await using var scope = _scopes.CreateAsyncScope();
            if (scope.ServiceProvider.GetService<IRememberedAccountStore>() is not { } store)
            {
                return;
            }

            var removed = await store.RemoveExpiredAsync(before, batchSize, cancellationToken);
            total += removed;
            if (removed < batchSize)
            {
                break;
            }
        }

        if (total > 0)
        {
            Log.RememberedAccountsExpired(_logger, total);
        }
    }

    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        ReloadablePeriodicRun.RunAsync(_options, o => o.CleanupInterval, _time, RunOnceAsync, exception => Log.CleanupFailed(_logger, exception), stoppingToken);
}
