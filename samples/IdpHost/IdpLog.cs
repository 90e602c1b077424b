namespace IdpHost;

/// <summary>
/// The sample's own log messages (two-factor sign-in, account pages, account rules), with stable event ids from 350. Users are
/// named by id only; never a code, a password or a cookie.
/// </summary>
internal static partial class IdpLog
{
    [LoggerMessage(EventId = 350, Level = LogLevel.Information, Message = "User {UserId}: password accepted, second factor asked.")]
    public static partial void SecondFactorStarted(ILogger logger, string userId);

    [LoggerMessage(EventId = 351, Level = LogLevel.Information, Message = "User {UserId}: sign-in refused before the second factor: the browser holds the limit of {MaximumSessions} accounts.")]
    public static partial void SecondFactorRefusedByLimit(ILogger logger, string userId, int maximumSessions);

    [LoggerMessage(EventId = 352, Level = LogLevel.Warning, Message = "Account form refused: rendered for user {FormUserId}, the active account is user {ActiveUserId}.")]
    public static partial void AccountFormRefused(ILogger logger, string? formUserId, string activeUserId);

    [LoggerMessage(EventId = 353, Level = LogLevel.Information, Message = "User {UserId} refused at the authorization endpoint: {Reason} Session ended: {Ended}.")]
    public static partial void AccountRuleRefused(ILogger logger, string userId, string reason, bool ended);

    // Audit trail and metrics endpoint (event ids 520-539).
    [LoggerMessage(EventId = 520, Level = LogLevel.Information, Message = "{Event}: user {UserId}, session {SessionId}, device {DeviceId}, client {ClientId}; {Detail}; at {Time:O}, trace {TraceId}.")]
    public static partial void Audit(ILogger logger, string @event, string? userId, string? sessionId, string? deviceId, string? clientId, string? detail, DateTimeOffset time, string? traceId);

    [LoggerMessage(EventId = 521, Level = LogLevel.Information, Message = "Metrics: Prometheus scraping endpoint at {Path} ({Access}); OTLP export {Otlp}.")]
    public static partial void MetricsConfigured(ILogger logger, string path, string access, string otlp);
}
