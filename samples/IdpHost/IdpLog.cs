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

    [LoggerMessage(EventId = 420, Level = LogLevel.Information, Message = "External login {LoginProvider}: user {UserId} signed in.")]
    public static partial void ExternalSignIn(ILogger logger, string loginProvider, string userId);

    [LoggerMessage(EventId = 421, Level = LogLevel.Information, Message = "External login {LoginProvider}: user {UserId} refused before signing in: the browser holds the limit of accounts.")]
    public static partial void ExternalSignInRefusedByLimit(ILogger logger, string loginProvider, string userId);

    [LoggerMessage(EventId = 422, Level = LogLevel.Information, Message = "External login {LoginProvider}: new user {UserId} created with it.")]
    public static partial void ExternalAccountCreated(ILogger logger, string loginProvider, string userId);

    [LoggerMessage(EventId = 423, Level = LogLevel.Information, Message = "External login {LoginProvider}: linked to user {UserId}, who proved the account with its password.")]
    public static partial void ExternalLoginLinked(ILogger logger, string loginProvider, string userId);

    [LoggerMessage(EventId = 424, Level = LogLevel.Information, Message = "External login {LoginProvider}: linked to user {UserId} from the account's external logins page.")]
    public static partial void ExternalLoginAdded(ILogger logger, string loginProvider, string userId);

    [LoggerMessage(EventId = 425, Level = LogLevel.Warning, Message = "External login {LoginProvider}: linking refused, the login belongs to user {OwnerUserId}, not to user {UserId}.")]
    public static partial void ExternalLoginOwnedByAnother(ILogger logger, string loginProvider, string ownerUserId, string userId);

    [LoggerMessage(EventId = 440, Level = LogLevel.Information, Message = "User {UserId} signed in with a passkey; methods {Methods}.")]
    public static partial void PasskeySignedIn(ILogger logger, string userId, string methods);

    [LoggerMessage(EventId = 441, Level = LogLevel.Information, Message = "Passkey sign-in refused (user {UserId}): no pending ceremony, an answer that did not verify, or an account that may not sign in.")]
    public static partial void PasskeySignInFailed(ILogger logger, string? userId);

    [LoggerMessage(EventId = 442, Level = LogLevel.Information, Message = "User {UserId}: passkey sign-in refused before anything was written: the browser holds the limit of {MaximumSessions} accounts.")]
    public static partial void PasskeySignInRefusedByLimit(ILogger logger, string userId, int maximumSessions);

    [LoggerMessage(EventId = 443, Level = LogLevel.Information, Message = "User {UserId} added a passkey.")]
    public static partial void PasskeyAdded(ILogger logger, string userId);

    [LoggerMessage(EventId = 444, Level = LogLevel.Information, Message = "User {UserId}: a passkey was not added (no pending ceremony for this account, or an answer that did not verify).")]
    public static partial void PasskeyNotAdded(ILogger logger, string userId);

    [LoggerMessage(EventId = 445, Level = LogLevel.Information, Message = "User {UserId} renamed a passkey.")]
    public static partial void PasskeyRenamed(ILogger logger, string userId);

    [LoggerMessage(EventId = 446, Level = LogLevel.Information, Message = "User {UserId} removed a passkey.")]
    public static partial void PasskeyRemoved(ILogger logger, string userId);

    // Audit trail and metrics endpoint (event ids 520-539).
    [LoggerMessage(EventId = 520, Level = LogLevel.Information, Message = "{Event}: user {UserId}, session {SessionId}, device {DeviceId}, client {ClientId}; {Detail}; at {Time:O}, trace {TraceId}.")]
    public static partial void Audit(ILogger logger, string @event, string? userId, string? sessionId, string? deviceId, string? clientId, string? detail, DateTimeOffset time, string? traceId);

    [LoggerMessage(EventId = 521, Level = LogLevel.Information, Message = "Metrics: Prometheus scraping endpoint at {Path} ({Access}); OTLP export {Otlp}.")]
    public static partial void MetricsConfigured(ILogger logger, string path, string access, string otlp);
}
