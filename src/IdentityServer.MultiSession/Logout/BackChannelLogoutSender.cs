using System.Diagnostics;
using System.Net;
using IdentityServer.MultiSession.Events;
using IdentityServer.MultiSession.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IdentityServer.MultiSession.Logout;

/// <summary>
/// Delivers the logout outbox: every <see cref="BackChannelLogoutOptions.PollInterval"/> it claims due notifications (with a
/// lease, so that instances sharing a database split them), signs one logout token per notification and POSTs it to the client's
/// back-channel logout URI. HTTP 200 or 204 is delivery; anything else (another status, a refused connection, a timeout) is a
/// failed attempt, tried again after a wait that doubles each time, until <see cref="BackChannelLogoutOptions.MaxAttempts"/>
/// attempts mark it failed for good. Waits and leases run on the host's <see cref="TimeProvider"/>.
/// </summary>
internal sealed class BackChannelLogoutSender : BackgroundService
{
    /// <summary>The name of the <see cref="IHttpClientFactory"/> client used for deliveries.</summary>
    public const string HttpClientName = "IdentityServer.MultiSession.BackChannelLogout";

    private readonly IServiceScopeFactory _scopes;
    private readonly IHttpClientFactory _http;
    private readonly IOptionsMonitor<MultiSessionOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _instance = Sessions.DeviceSecret.CreateId();

    /// <summary>Creates the sender.</summary>
    public BackChannelLogoutSender(
        IServiceScopeFactory scopes,
        IHttpClientFactory http,
        IOptionsMonitor<MultiSessionOptions> options,
        TimeProvider time,
        ILogger<BackChannelLogoutSender> logger)
    {
        _scopes = scopes;
        _http = http;
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// Processes one batch of due notifications: claims them, delivers each once, records the outcomes; returns how many were
    /// claimed. Tests call it directly; the hosted loop calls it on its timer.
    /// </summary>
    public async Task<int> ProcessBatchAsync(CancellationToken cancellationToken = default)
    {
        using var activity = Activity.Current is null ? new Activity("IdentityServer.MultiSession.BackChannelLogout").Start() : null;
        var options = _options.CurrentValue.BackChannelLogout;
        await using var scope = _scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var store = services.GetService<ILogoutNotificationStore>();
        var registry = services.GetService<IRelyingPartyLogoutRegistry>();
        var issuer = services.GetService<ILogoutTokenIssuer>();
        if (store is null || registry is null || issuer is null)
        {
            return 0;
        }

        var claim = _instance + ":" + Sessions.DeviceSecret.CreateId();
        var rows = await store.ClaimAsync(claim, _time.GetUtcNow(), options.LeaseDuration, options.BatchSize, cancellationToken);
        if (rows.Count == 0)
        {
            return 0;
        }

        // The grants and tokens issued through these sessions are revoked before any relying party is told (every way a session
        // ends queues its notifications, the cleanup and security-stamp ends included; revoking again is harmless). If that
        // fails, the batch waits for the next round: the token endpoints refuse those tokens meanwhile anyway.
        if (services.GetService<Sessions.ISessionTokenRevoker>() is { } revoker)
        {
            try
            {
                await revoker.RevokeTokensOfSessionsAsync(
                    rows.Select(r => new Sessions.EndedSession(r.SessionId, r.Subject)).Distinct().ToList(),
                    cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                Log.SessionTokenRevocationFailed(_logger, exception.GetType().Name, exception);
                foreach (var row in rows)
                {
                    await store.ReleaseAsync(row.Id, claim, cancellationToken);
                }

                return 0;
            }
        }

        // The database work (registrations, outcomes) runs one at a time on the scope's context; the HTTP posts run in parallel.
        var deliveries = new List<(StoredLogoutNotification Row, Uri Uri, string Token)>();
        var registrations = new Dictionary<string, RelyingPartyLogoutRegistration?>(StringComparer.Ordinal);
        string? unavailable = null;
        foreach (var row in rows)
        {
            if (!registrations.TryGetValue(row.ClientId, out var registration))
            {
                registration = await registry.FindAsync(row.ClientId, cancellationToken);
                registrations[row.ClientId] = registration;
            }

            if (registration?.BackChannelLogoutUri is not { } uri)
            {
                Log.LogoutNotRegistered(_logger, row.ClientId, row.SessionId);
                await store.RemoveAsync(row.Id, claim, cancellationToken);
                continue;
            }

            var token = unavailable is null
                ? issuer.CreateToken(new LogoutTokenRequest(row.Subject, row.SessionId, row.ClientId, Sessions.DeviceSecret.CreateId()), out unavailable)
                : null;
            if (token is null)
            {
                await store.ReleaseAsync(row.Id, claim, cancellationToken);
                continue;
            }

            deliveries.Add((row, uri, token));
        }

        if (unavailable is not null)
        {
            Log.LogoutTokenUnavailable(_logger, unavailable);
        }

        var outcomes = new string?[deliveries.Count];
        await Parallel.ForAsync(0, deliveries.Count, new ParallelOptions { MaxDegreeOfParallelism = options.MaxParallelDeliveries, CancellationToken = cancellationToken },
            async (i, token) => outcomes[i] = await PostAsync(deliveries[i].Uri, deliveries[i].Token, options.Timeout, token));

        var events = services.GetService<MultiSessionEventRaiser>();
        for (var i = 0; i < deliveries.Count; i++)
        {
            var row = deliveries[i].Row;
            var attempt = row.Attempts + 1;
            var now = _time.GetUtcNow();
            if (outcomes[i] is not { } error)
            {
                // A row whose lease ran out meanwhile is another run's now: its new holder reports its outcome, not this one.
                if (!await store.CompleteAsync(row.Id, claim, LogoutNotificationStatus.Delivered, attempt, null, now, cancellationToken))
                {
                    continue;
                }

                if (events is not null)
                {
                    await events.LogoutNotificationDeliveredAsync(services, row.Subject, row.SessionId, row.ClientId, attempt);
                }
                else
                {
                    Log.LogoutDelivered(_logger, row.SessionId, row.ClientId, attempt);
                }
            }
            else if (attempt >= options.MaxAttempts)
            {
                if (!await store.CompleteAsync(row.Id, claim, LogoutNotificationStatus.Failed, attempt, error, now, cancellationToken))
                {
                    continue;
                }

                if (events is not null)
                {
                    await events.LogoutNotificationFailedAsync(services, row.Subject, row.SessionId, row.ClientId, attempt, error);
                }
                else
                {
                    Log.LogoutFailed(_logger, row.SessionId, row.ClientId, attempt, error);
                }
            }
            else
            {
                var next = now + Backoff(attempt, options);
                await store.RetryLaterAsync(row.Id, claim, attempt, error, next, cancellationToken);
                Log.LogoutAttemptFailed(_logger, row.SessionId, row.ClientId, attempt, error, next);
            }
        }

        return rows.Count;
    }

    /// <summary>Removes delivered notifications older than <see cref="BackChannelLogoutOptions.DeliveredRetention"/>; returns how many.</summary>
    public async Task<int> RemoveDeliveredAsync(CancellationToken cancellationToken = default)
    {
        var options = _options.CurrentValue;
        await using var scope = _scopes.CreateAsyncScope();
        if (scope.ServiceProvider.GetService<ILogoutNotificationStore>() is not { } store)
        {
            return 0;
        }

        var removed = await store.RemoveDeliveredAsync(_time.GetUtcNow() - options.BackChannelLogout.DeliveredRetention, options.CleanupBatchSize, cancellationToken);
        if (removed > 0)
        {
            Log.LogoutCleanupRemoved(_logger, removed);
        }

        return removed;
    }

    /// <summary>The wait after failed attempt number <paramref name="attempt"/>: the base, doubled per further failure, capped.</summary>
    internal static TimeSpan Backoff(int attempt, BackChannelLogoutOptions options)
    {
        var factor = Math.Pow(2, Math.Min(attempt - 1, 30));
        var wait = options.BackoffBase * factor;
        return wait > options.MaxBackoff ? options.MaxBackoff : wait;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.CurrentValue.BackChannelLogout.Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(_options.CurrentValue.BackChannelLogout.PollInterval, _time);
        var lastCleanup = DateTimeOffset.MinValue;
        do
        {
            try
            {
                // A full batch means more may be due: go on at once.
                while (await ProcessBatchAsync(stoppingToken) >= _options.CurrentValue.BackChannelLogout.BatchSize)
                {
                }

                if (_time.GetUtcNow() - lastCleanup >= _options.CurrentValue.CleanupInterval)
                {
                    await RemoveDeliveredAsync(stoppingToken);
                    lastCleanup = _time.GetUtcNow();
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                Log.LogoutSenderFailed(_logger, exception);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    /// <summary>POSTs the token; <c>null</c> on delivery, otherwise why it failed (never the token).</summary>
    private async Task<string?> PostAsync(Uri uri, string token, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(timeout);
        try
        {
            using var client = _http.CreateClient(HttpClientName);
            using var content = new FormUrlEncodedContent([KeyValuePair.Create("logout_token", token)]);
            using var response = await client.PostAsync(uri, content, attempt.Token);
            return response.StatusCode is HttpStatusCode.OK or HttpStatusCode.NoContent
                ? null
                : $"HTTP {(int)response.StatusCode}";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"no answer within {timeout}";
        }
        catch (HttpRequestException exception)
        {
            return exception.HttpRequestError.ToString();
        }
    }
}
