using System.Diagnostics;
using System.Diagnostics.Metrics;
using IdentityServer.MultiSession.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IdentityServer.MultiSession.Metrics;

/// <summary>
/// The extension's instruments, on a <see cref="Meter"/> named <see cref="MeterName"/> created through the host's
/// <see cref="IMeterFactory"/>: counters per event kind (the revocation counter tagged with the reason), a histogram of the
/// accounts a device holds after a sign-in, back-channel logout deliveries and failures, and an observable gauge of how long
/// the oldest pending logout notification has waited. The gauge answers from a snapshot that a background refresher reads
/// from the store every <see cref="MultiSessionOptions.MetricsRefreshInterval"/>: a scrape never waits on the database.
/// Add the meter to OpenTelemetry with <c>metrics.AddMeter(MultiSessionMetrics.MeterName)</c>.
/// </summary>
public sealed class MultiSessionMetrics
{
    /// <summary>The meter's name, the library's name.</summary>
    public const string MeterName = "IdentityServer.MultiSession";

    /// <summary>The tag that carries the <see cref="SessionEndReason"/> (snake case, for example <c>security_stamp</c>).</summary>
    public const string ReasonTag = "reason";

    private readonly Counter<long> _signIns;
    private readonly Counter<long> _switches;
    private readonly Counter<long> _reauthentications;
    private readonly Counter<long> _revocations;
    private readonly Counter<long> _signOutsAll;
    private readonly Counter<long> _limitRefusals;
    private readonly Histogram<int> _accountsPerDevice;
    private readonly Counter<long> _notificationsDelivered;
    private readonly Counter<long> _notificationsFailed;
    private readonly IServiceScopeFactory _scopes;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private volatile PendingSnapshot? _pending;

    /// <summary>Creates the instruments on a meter of <paramref name="meterFactory"/>.</summary>
    public MultiSessionMetrics(IMeterFactory meterFactory, IServiceScopeFactory scopes, TimeProvider time, ILogger<MultiSessionMetrics> logger)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _scopes = scopes;
        _time = time;
        _logger = logger;
        var meter = meterFactory.Create(MeterName, typeof(MultiSessionMetrics).Assembly.GetName().Version?.ToString());
        _signIns = meter.CreateCounter<long>("multisession.sign_ins", "{sign_in}", "Sign-ins that added an account to a device.");
        _switches = meter.CreateCounter<long>("multisession.switches", "{switch}", "Switches of a device's active account.");
        _reauthentications = meter.CreateCounter<long>("multisession.reauthentications", "{reauthentication}", "Sign-ins of an account already on the device (renewed in place).");
        _revocations = meter.CreateCounter<long>("multisession.revocations", "{session}", "Device sessions ended, tagged with the reason.");
        _signOutsAll = meter.CreateCounter<long>("multisession.sign_outs_all", "{sign_out}", "Sign-outs of every account of a device at once.");
        _limitRefusals = meter.CreateCounter<long>("multisession.limit_refusals", "{sign_in}", "Sign-ins refused because the device held the maximum number of accounts.");
        _accountsPerDevice = meter.CreateHistogram(
            "multisession.accounts_per_device",
            "{account}",
            "Accounts a device holds after a sign-in or re-authentication.",
            tags: null,
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 3, 4, 5, 6, 8, 10, 15, 20] });
        _notificationsDelivered = meter.CreateCounter<long>("multisession.logout_notifications.delivered", "{notification}", "Back-channel logout notifications delivered.");
        _notificationsFailed = meter.CreateCounter<long>("multisession.logout_notifications.failed", "{notification}", "Back-channel logout notifications that failed for good.");
        meter.CreateObservableGauge(
            "multisession.logout_notifications.oldest_pending_age",
            ObserveOldestPendingAge,
            "s",
            "How long the oldest pending back-channel logout notification has waited; 0 when none waits.");
    }

    /// <summary>The tag value of a reason: its name in snake case (<c>user</c>, <c>relying_party_logout</c>, ...).</summary>
    public static string ReasonName(SessionEndReason reason) => reason switch
    {
        SessionEndReason.User => "user",
        SessionEndReason.Admin => "admin",
        SessionEndReason.Eviction => "eviction",
        SessionEndReason.SecurityStamp => "security_stamp",
        SessionEndReason.Expiry => "expiry",
        SessionEndReason.RelyingPartyLogout => "relying_party_logout",
        SessionEndReason.Unreadable => "unreadable",
        _ => "other",
    };

    internal void SignedIn(int? accountsOnDevice)
    {
        _signIns.Add(1);
        if (accountsOnDevice is { } count)
        {
            _accountsPerDevice.Record(count);
        }
    }

    internal void Reauthenticated(int? accountsOnDevice)
    {
        _reauthentications.Add(1);
        if (accountsOnDevice is { } count)
        {
            _accountsPerDevice.Record(count);
        }
    }

    internal void Switched() => _switches.Add(1);

    internal void Revoked(SessionEndReason reason) => _revocations.Add(1, new KeyValuePair<string, object?>(ReasonTag, ReasonName(reason)));

    internal void SignedOutAll(SessionEndReason reason) => _signOutsAll.Add(1, new KeyValuePair<string, object?>(ReasonTag, ReasonName(reason)));

    internal void LimitRefused() => _limitRefusals.Add(1);

    internal void NotificationDelivered() => _notificationsDelivered.Add(1);

    internal void NotificationFailed() => _notificationsFailed.Add(1);

    /// <summary>
    /// Reads the figures the observable gauges answer with from the store, once (the background refresher calls it every
    /// <see cref="MultiSessionOptions.MetricsRefreshInterval"/>). A failing read keeps the last snapshot and is logged.
    /// </summary>
    internal async Task RefreshAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await using var scope = _scopes.CreateAsyncScope();
            if (scope.ServiceProvider.GetService<ILogoutNotificationStore>() is not { } store)
            {
                return;
            }

            _pending = new PendingSnapshot(await store.FindOldestPendingAsync(cancellationToken));
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.MetricsGaugeReadFailed(_logger, exception.GetType().Name, Activity.Current?.TraceId.ToString());
        }
    }

    private IEnumerable<Measurement<double>> ObserveOldestPendingAge()
    {
        // Observable instruments are read synchronously by the collector (a scrape, an export): only the last snapshot is
        // used, never the database. Its age is counted to now; nothing is reported before the first snapshot.
        if (_pending is not { } snapshot)
        {
            return [];
        }

        var age = snapshot.OldestCreatedAt is { } created ? Math.Max(0, (_time.GetUtcNow() - created).TotalSeconds) : 0;
        return [new Measurement<double>(age)];
    }

    /// <summary>The oldest pending notification's creation time when the store was last read; <c>null</c> when none waited.</summary>
    private sealed record PendingSnapshot(DateTimeOffset? OldestCreatedAt);
}
