using System.Diagnostics;
using IdentityServer.MultiSession.Metrics;
using IdentityServer.MultiSession.Sessions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IdentityServer.MultiSession.Events;

/// <summary>
/// Raises an event after its change was committed: writes its log line (user, sid, device, client, trace id), counts it in
/// <see cref="MultiSessionMetrics"/>, and calls the host's <see cref="MultiSessionEvents"/>. Callers call it only once the store
/// call returned successfully, so a change that rolled back raises nothing. A host handler that throws is logged, never rethrown.
/// </summary>
internal sealed class MultiSessionEventRaiser(
    IOptionsMonitor<MultiSessionOptions> options,
    MultiSessionMetrics metrics,
    TimeProvider time,
    ILogger<MultiSessionEvents> logger)
{
    /// <summary>The W3C trace id of the current activity, as logs, events, error pages and problem details show it.</summary>
    public static string? CurrentTraceId => Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity ? activity.TraceId.ToString() : null;

    public Task SignedInAsync(IServiceProvider services, HttpContext? http, string userId, string sessionId, string deviceId, int? accountsOnDevice)
    {
        var context = new SessionEventContext(services) { AccountsOnDevice = accountsOnDevice, UserId = userId, SessionId = sessionId, DeviceId = deviceId, HttpContext = http, Time = time.GetUtcNow(), TraceId = CurrentTraceId };
        Log.EventSignedIn(logger, userId, sessionId, deviceId, accountsOnDevice, null, context.TraceId);
        metrics.SignedIn(accountsOnDevice);
        return InvokeAsync(context, nameof(MultiSessionEvents.SignedIn), e => e.SignedIn(context));
    }

    public Task ReauthenticatedAsync(IServiceProvider services, HttpContext? http, string userId, string sessionId, string deviceId, int? accountsOnDevice)
    {
        var context = new SessionEventContext(services) { AccountsOnDevice = accountsOnDevice, UserId = userId, SessionId = sessionId, DeviceId = deviceId, HttpContext = http, Time = time.GetUtcNow(), TraceId = CurrentTraceId };
        Log.EventReauthenticated(logger, userId, sessionId, deviceId, null, context.TraceId);
        metrics.Reauthenticated(accountsOnDevice);
        return InvokeAsync(context, nameof(MultiSessionEvents.Reauthenticated), e => e.Reauthenticated(context));
    }

    public Task SwitchedAsync(IServiceProvider services, HttpContext? http, string userId, string sessionId, string deviceId)
    {
        var context = new SessionEventContext(services) { UserId = userId, SessionId = sessionId, DeviceId = deviceId, HttpContext = http, Time = time.GetUtcNow(), TraceId = CurrentTraceId };
        Log.EventSwitched(logger, userId, sessionId, deviceId, null, context.TraceId);
        metrics.Switched();
        return InvokeAsync(context, nameof(MultiSessionEvents.Switched), e => e.Switched(context));
    }

    public async Task RevokedAsync(IServiceProvider services, HttpContext? http, IEnumerable<EndedSession> sessions, SessionEndReason reason, string? clientId = null)
    {
        foreach (var session in sessions)
        {
            var context = new SessionRevokedContext(services, reason)
            {
                UserId = session.UserId,
                SessionId = session.SessionId,
                DeviceId = session.DeviceId,
                ClientId = clientId,
                HttpContext = http,
                Time = time.GetUtcNow(),
                TraceId = CurrentTraceId,
            };
            Log.EventSessionRevoked(logger, session.UserId, session.SessionId, session.DeviceId, reason, clientId, context.TraceId);
            metrics.Revoked(reason);
            await InvokeAsync(context, nameof(MultiSessionEvents.SessionRevoked), e => e.SessionRevoked(context));
        }
    }

    public async Task SignedOutAllAsync(IServiceProvider services, HttpContext? http, IReadOnlyList<EndedSession> sessions, SessionEndReason reason, string? clientId)
    {
        await RevokedAsync(services, http, sessions, reason, clientId);
        var deviceId = sessions.Select(s => s.DeviceId).FirstOrDefault(d => d is not null);
        var context = new SignedOutAllContext(services, reason, sessions)
        {
            UserId = sessions.Count == 1 ? sessions[0].UserId : null,
            SessionId = sessions.Count == 1 ? sessions[0].SessionId : null,
            DeviceId = deviceId,
            ClientId = clientId,
            HttpContext = http,
            Time = time.GetUtcNow(),
            TraceId = CurrentTraceId,
        };
        Log.EventSignedOutAll(logger, deviceId, sessions.Count, string.Join(' ', sessions.Select(s => s.UserId).Distinct(StringComparer.Ordinal)), reason, clientId, context.TraceId);
        metrics.SignedOutAll(reason);
        await InvokeAsync(context, nameof(MultiSessionEvents.SignedOutAll), e => e.SignedOutAll(context));
    }

    public Task LimitRefusedAsync(IServiceProvider services, HttpContext? http, string userId, string? deviceId, int sessionCount, int maximumSessions)
    {
        var context = new LimitRefusedContext(services, sessionCount, maximumSessions)
        {
            UserId = userId,
            DeviceId = deviceId,
            HttpContext = http,
            Time = time.GetUtcNow(),
            TraceId = CurrentTraceId,
        };
        Log.EventLimitRefused(logger, userId, deviceId, sessionCount, maximumSessions, null, context.TraceId);
        metrics.LimitRefused();
        return InvokeAsync(context, nameof(MultiSessionEvents.LimitRefused), e => e.LimitRefused(context));
    }

    public Task LogoutNotificationDeliveredAsync(IServiceProvider services, string userId, string sessionId, string clientId, int attempt)
    {
        var context = new LogoutNotificationContext(services, attempt, null)
        {
            UserId = userId,
            SessionId = sessionId,
            ClientId = clientId,
            Time = time.GetUtcNow(),
            TraceId = CurrentTraceId,
        };
        Log.EventLogoutDelivered(logger, userId, sessionId, clientId, attempt, context.TraceId);
        metrics.NotificationDelivered();
        return InvokeAsync(context, nameof(MultiSessionEvents.LogoutNotificationDelivered), e => e.LogoutNotificationDelivered(context));
    }

    public Task LogoutNotificationFailedAsync(IServiceProvider services, string userId, string sessionId, string clientId, int attempt, string error)
    {
        var context = new LogoutNotificationContext(services, attempt, error)
        {
            UserId = userId,
            SessionId = sessionId,
            ClientId = clientId,
            Time = time.GetUtcNow(),
            TraceId = CurrentTraceId,
        };
        Log.EventLogoutFailed(logger, userId, sessionId, clientId, attempt, error, context.TraceId);
        metrics.NotificationFailed();
        return InvokeAsync(context, nameof(MultiSessionEvents.LogoutNotificationFailed), e => e.LogoutNotificationFailed(context));
    }

    private async Task InvokeAsync(MultiSessionEventContext context, string name, Func<MultiSessionEvents, Task> invoke)
    {
        try
        {
            var current = options.CurrentValue;
            var events = current.EventsType is { } type
                ? (MultiSessionEvents)(context.Services.GetService(type) ?? ActivatorUtilities.CreateInstance(context.Services, type))
                : current.Events;
            await invoke(events);
        }
        catch (Exception exception)
        {
            // The change is committed: a failing audit hook must not turn the request that made it into an error.
            Log.EventHandlerFailed(logger, name, context.UserId, context.SessionId, context.TraceId, exception);
        }
    }
}
