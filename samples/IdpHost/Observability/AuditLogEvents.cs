using IdentityServer.MultiSession.Events;

namespace IdpHost.Observability;

/// <summary>
/// The sample's audit trail: every multi-session event as one structured line of the logger category <c>Audit</c> (event,
/// user id, sid, device id, client id, reason, time, trace id), which a host routes to its audit store with its logging
/// configuration (for example <c>Logging:LogLevel:Audit</c>). Named in <c>MultiSession:EventsType</c> by <c>AddIdpObservability</c>.
/// </summary>
public sealed class AuditLogEvents : MultiSessionEvents
{
    /// <summary>The logger category of the audit lines.</summary>
    public const string Category = "Audit";

    private readonly ILogger _audit;

    /// <summary>Creates the hooks over the <c>Audit</c> logger.</summary>
    public AuditLogEvents(ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(loggers);
        _audit = loggers.CreateLogger(Category);
    }

    /// <inheritdoc />
    public override Task SignedIn(SessionEventContext context) => Write("signed-in", context, $"accounts on device: {context.AccountsOnDevice}");

    /// <inheritdoc />
    public override Task Switched(SessionEventContext context) => Write("switched", context, null);

    /// <inheritdoc />
    public override Task Reauthenticated(SessionEventContext context) => Write("reauthenticated", context, $"accounts on device: {context.AccountsOnDevice}");

    /// <inheritdoc />
    public override Task SessionRevoked(SessionRevokedContext context) => Write("session-revoked", context, $"reason: {context.Reason}");

    /// <inheritdoc />
    public override Task SignedOutAll(SignedOutAllContext context) =>
        Write("signed-out-all", context, $"reason: {context.Reason}; sessions: {string.Join(' ', context.Sessions.Select(s => s.UserId + "/" + s.SessionId))}");

    /// <inheritdoc />
    public override Task LimitRefused(LimitRefusedContext context) => Write("limit-refused", context, $"{context.SessionCount} of {context.MaximumSessions}");

    /// <inheritdoc />
    public override Task LogoutNotificationDelivered(LogoutNotificationContext context) => Write("logout-notification-delivered", context, $"attempt {context.Attempt}");

    /// <inheritdoc />
    public override Task LogoutNotificationFailed(LogoutNotificationContext context) => Write("logout-notification-failed", context, $"attempt {context.Attempt}: {context.Error}");

    private Task Write(string name, MultiSessionEventContext context, string? detail)
    {
        IdpLog.Audit(_audit, name, context.UserId, context.SessionId, context.DeviceId, context.ClientId, detail, context.Time, context.TraceId);
        return Task.CompletedTask;
    }
}
