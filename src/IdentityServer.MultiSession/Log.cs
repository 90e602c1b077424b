using Microsoft.Extensions.Logging;

namespace IdentityServer.MultiSession;

/// <summary>
/// Every log message of the extension, with stable event ids. Devices and sessions are named only by their
/// non-secret ids: never a device secret, a cookie or a session handle.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Device {DeviceId}: session {SessionId} signed in for user {UserId}.")]
    public static partial void SignedIn(ILogger logger, string deviceId, string sessionId, string userId);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Sign-in refused: the device holds the limit of {MaximumSessions} sessions.")]
    public static partial void LimitReached(ILogger logger, int maximumSessions);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Device {DeviceId}: session {SessionId} revoked.")]
    public static partial void Revoked(ILogger logger, string deviceId, string sessionId);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "A device signed out of every session ({Count}).")]
    public static partial void SignedOutAll(ILogger logger, int count);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Device {DeviceId}: session {SessionId} made active.")]
    public static partial void ActiveChanged(ILogger logger, string deviceId, string sessionId);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "User {UserId}: security stamp no longer valid; {Count} sessions ended on every device.")]
    public static partial void SecurityStampRejected(ILogger logger, string userId, int count);

    [LoggerMessage(EventId = 7, Level = LogLevel.Debug, Message = "Sign-in conflict on attempt {Attempt} ({Reason}); retrying.")]
    public static partial void SignInConflict(ILogger logger, int attempt, string reason);

    [LoggerMessage(EventId = 8, Level = LogLevel.Information, Message = "Cleanup removed {Count} expired sessions.")]
    public static partial void CleanupRemoved(ILogger logger, int count);

    [LoggerMessage(EventId = 9, Level = LogLevel.Error, Message = "Cleanup of expired sessions failed; it will run again at the next interval.")]
    public static partial void CleanupFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Device {DeviceId}: session {SessionId} evicted to make room (least recently used).")]
    public static partial void Evicted(ILogger logger, string deviceId, string sessionId);

    [LoggerMessage(EventId = 12, Level = LogLevel.Error, Message = "Database unavailable during {Method} {Path} (trace {TraceId}): {ExceptionType}: {Reason}. Answered 503.")]
    public static partial void DatabaseUnavailable(ILogger logger, string method, string path, string traceId, string exceptionType, string reason);

    [LoggerMessage(EventId = 11, Level = LogLevel.Debug, Message = "Request rejected by the JSON API's CSRF defence: {Reason}.")]
    public static partial void CrossSiteRejected(ILogger logger, string reason);

    [LoggerMessage(EventId = 250, Level = LogLevel.Debug, Message = "Session {SessionId}: client {ClientId} was already recorded, or the session ended meanwhile.")]
    public static partial void ClientAlreadyRecorded(ILogger logger, string sessionId, string clientId);

    [LoggerMessage(EventId = 251, Level = LogLevel.Information, Message = "Back-channel logout of session {SessionId} delivered to client {ClientId} on attempt {Attempt}.")]
    public static partial void LogoutDelivered(ILogger logger, string sessionId, string clientId, int attempt);

    [LoggerMessage(EventId = 252, Level = LogLevel.Warning, Message = "Back-channel logout of session {SessionId} to client {ClientId} failed on attempt {Attempt} ({Reason}); next attempt at {NextAttemptAt:O}.")]
    public static partial void LogoutAttemptFailed(ILogger logger, string sessionId, string clientId, int attempt, string reason, DateTimeOffset nextAttemptAt);

    [LoggerMessage(EventId = 253, Level = LogLevel.Error, Message = "Back-channel logout of session {SessionId} to client {ClientId} failed for good after {Attempt} attempts ({Reason}).")]
    public static partial void LogoutFailed(ILogger logger, string sessionId, string clientId, int attempt, string reason);

    [LoggerMessage(EventId = 254, Level = LogLevel.Error, Message = "The back-channel logout sender's run failed; it runs again at the next interval.")]
    public static partial void LogoutSenderFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 255, Level = LogLevel.Debug, Message = "Client {ClientId} registered no back-channel logout URI: nothing to send for session {SessionId}.")]
    public static partial void LogoutNotRegistered(ILogger logger, string clientId, string sessionId);

    [LoggerMessage(EventId = 256, Level = LogLevel.Warning, Message = "Back-channel logout tokens cannot be issued yet: {Reason}. The notifications wait.")]
    public static partial void LogoutTokenUnavailable(ILogger logger, string reason);

    [LoggerMessage(EventId = 257, Level = LogLevel.Information, Message = "Removed {Count} delivered logout notifications.")]
    public static partial void LogoutCleanupRemoved(ILogger logger, int count);
}
