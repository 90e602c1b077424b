using Microsoft.Extensions.Logging;

namespace IdentityServer.MultiSession;

/// <summary>
/// Every log message of the extension, with stable event ids. Devices and sessions are named only by their
/// non-secret ids: never a device secret, a cookie or a session handle.
/// </summary>
internal static partial class Log
{
    // Event ids 1-5, 10, 101 and 481 are retired: sign-in, switch, re-authentication, revocation and sign-out lines are the
    // event lines 500-507 (MultiSessionEventRaiser), which carry user, sid, device, client and trace id. Do not reuse them.

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "User {UserId}: security stamp no longer valid; {Count} sessions ended on every device.")]
    public static partial void SecurityStampRejected(ILogger logger, string userId, int count);

    [LoggerMessage(EventId = 7, Level = LogLevel.Debug, Message = "Sign-in conflict on attempt {Attempt} ({Reason}); retrying.")]
    public static partial void SignInConflict(ILogger logger, int attempt, string reason);

    [LoggerMessage(EventId = 8, Level = LogLevel.Information, Message = "Cleanup removed {Count} expired sessions.")]
    public static partial void CleanupRemoved(ILogger logger, int count);

    [LoggerMessage(EventId = 9, Level = LogLevel.Error, Message = "Cleanup of expired sessions failed; it will run again at the next interval.")]
    public static partial void CleanupFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 12, Level = LogLevel.Error, Message = "Database unavailable during {Method} {Path} (trace {TraceId}): {ExceptionType}: {Reason}. Answered 503.")]
    public static partial void DatabaseUnavailable(ILogger logger, string method, string path, string traceId, string exceptionType, string reason);

    [LoggerMessage(EventId = 11, Level = LogLevel.Debug, Message = "Request rejected by the JSON API's CSRF defence: {Reason}.")]
    public static partial void CrossSiteRejected(ILogger logger, string reason);

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Sign-in of user {UserId} refused: another sign-in of the same browser has just replaced its device secret.")]
    public static partial void SignInSuperseded(ILogger logger, string userId);

    [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "Device {DeviceId}: session {SessionId} of user {UserId} refreshed in place.")]
    public static partial void Refreshed(ILogger logger, string deviceId, string sessionId, string userId);

    [LoggerMessage(EventId = 103, Level = LogLevel.Information, Message = "Refresh of the sign-in of user {UserId} ignored: the session is no longer on this device.")]
    public static partial void RefreshWithoutSession(ILogger logger, string userId);

    [LoggerMessage(EventId = 104, Level = LogLevel.Warning, Message = "Device {DeviceId}: the stored principal of session {SessionId} cannot be unprotected or read; the session was removed.")]
    public static partial void TicketUnreadable(ILogger logger, string deviceId, string sessionId);

    // The switch policy: privileged accounts authenticate again before they are switched to (event ids 460-479).
    [LoggerMessage(EventId = 460, Level = LogLevel.Information, Message = "Device {DeviceId}: session {SessionId} of user {UserId} must authenticate again before it is used ({Route}).")]
    public static partial void ReauthenticationRequired(ILogger logger, string deviceId, string sessionId, string userId, string route);

    [LoggerMessage(EventId = 461, Level = LogLevel.Warning, Message = "The switch policy's authorization policy '{Policy}' is not defined: every account counts as named by it. Define it with AddAuthorization, or set MultiSession:ReauthenticationPolicy.")]
    public static partial void ReauthenticationPolicyMissing(ILogger logger, string policy);

    [LoggerMessage(EventId = 462, Level = LogLevel.Information, Message = "Device {DeviceId}: every remaining account must authenticate again before it becomes active; the device has no active account until one is chosen.")]
    public static partial void NoActiveAccount(ILogger logger, string deviceId);

    // OpenIddict integration: tokens follow device sessions (event ids 200-249).
    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Token request ({GrantType}) of client {ClientId} refused: the grant's session {SessionId} has ended.")]
    public static partial void EndedSessionGrantRefused(ILogger logger, string? grantType, string? clientId, string? sessionId);

    [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "Userinfo request refused: the access token's session {SessionId} has ended.")]
    public static partial void EndedSessionUserInfoRefused(ILogger logger, string? sessionId);

    [LoggerMessage(EventId = 202, Level = LogLevel.Information, Message = "Introspection by client {ClientId} answered inactive: the token's session {SessionId} has ended.")]
    public static partial void EndedSessionIntrospected(ILogger logger, string? clientId, string sessionId);

    [LoggerMessage(EventId = 203, Level = LogLevel.Information, Message = "Session {SessionId} ended: authorization {AuthorizationId} revoked with {TokenCount} tokens.")]
    public static partial void SessionTokensRevoked(ILogger logger, string sessionId, string? authorizationId, long tokenCount);

    [LoggerMessage(EventId = 204, Level = LogLevel.Warning, Message = "Revoking the tokens of ended sessions failed ({ExceptionType}); they stay refused at the token, userinfo and introspection endpoints.")]
    public static partial void SessionTokenRevocationFailed(ILogger logger, string exceptionType, Exception exception);

    [LoggerMessage(EventId = 150, Level = LogLevel.Error, Message = "Reloaded multi-session configuration refused, the last valid options stay in force: {Reason}")]
    public static partial void OptionsReloadRefused(ILogger logger, string reason);

    [LoggerMessage(EventId = 151, Level = LogLevel.Warning, Message = "MultiSession:CookieName (or CookieSecurePolicy) changed in the reloaded configuration ('{OldName}' to '{NewName}'): it applies only after a restart.")]
    public static partial void OptionsCookieChangeIgnored(ILogger logger, string oldName, string newName);

    [LoggerMessage(EventId = 152, Level = LogLevel.Information, Message = "Multi-session options reloaded ({Name}).")]
    public static partial void OptionsReloaded(ILogger logger, string name);

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

    [LoggerMessage(EventId = 480, Level = LogLevel.Information, Message = "User {UserId}: session {SessionId} on device {DeviceId} ended by {Reason}.")]
    public static partial void UserSessionRevoked(ILogger logger, string userId, string sessionId, string deviceId, SessionEndReason reason);

    [LoggerMessage(EventId = 482, Level = LogLevel.Information, Message = "User {UserId}: {Count} sessions on other devices ended by {Reason}; session {SessionId} kept.")]
    public static partial void OtherSessionsRevoked(ILogger logger, string userId, string sessionId, int count, SessionEndReason reason);

    [LoggerMessage(EventId = 483, Level = LogLevel.Warning, Message = "The administration policy '{Policy}' is not defined: every administration request is refused. Define it with AddAuthorization.")]
    public static partial void AdministrationPolicyMissing(ILogger logger, string policy);

    [LoggerMessage(EventId = 484, Level = LogLevel.Information, Message = "Administration request {Method} {Path} refused: {Outcome}.")]
    public static partial void AdministrationRefused(ILogger logger, string method, string path, string outcome);

    [LoggerMessage(EventId = 550, Level = LogLevel.Information, Message = "Device lookup cache on, database provider {Provider}: change channel {Channel}.")]
    public static partial void DeviceLookupCacheChannel(ILogger logger, string provider, string channel);

    [LoggerMessage(EventId = 551, Level = LogLevel.Warning, Message = "Device lookup cache: the PostgreSQL change channel is down ({Reason}: {Detail}); every request reads the database until it is back.")]
    public static partial void DeviceChangeChannelDown(ILogger logger, string reason, string detail);

    [LoggerMessage(EventId = 552, Level = LogLevel.Information, Message = "Device lookup cache: listening to the PostgreSQL change channel; the cache was cleared.")]
    public static partial void DeviceChangeChannelListening(ILogger logger);

    [LoggerMessage(EventId = 553, Level = LogLevel.Warning, Message = "Device lookup cache: the change-notification triggers are missing in the database (a migration calling CreateMultiSessionChangeNotifications); every request reads the database.")]
    public static partial void DeviceChangeTriggersMissing(ILogger logger);

    [LoggerMessage(EventId = 554, Level = LogLevel.Warning, Message = "Device lookup cache: the change channel lagged ({LagMilliseconds} ms since the last heartbeat was sent); the cache was set aside and cleared.")]
    public static partial void DeviceLookupChannelLagged(ILogger logger, long lagMilliseconds);

    [LoggerMessage(EventId = 555, Level = LogLevel.Debug, Message = "Device lookup cache: a heartbeat could not be sent ({Reason}).")]
    public static partial void DeviceChangeHeartbeatFailed(ILogger logger, string reason);

    // Events (ids 500-539): one line per committed change, with the user, the session (sid), the device, the client where known
    // and the W3C trace id of the request or background run (the one error pages and problem details show).
    [LoggerMessage(EventId = 500, Level = LogLevel.Information, Message = "User {UserId} signed in: session {SessionId} added on device {DeviceId}, which holds {AccountCount} accounts (client {ClientId}, trace {TraceId}).")]
    public static partial void EventSignedIn(ILogger logger, string? userId, string? sessionId, string? deviceId, int? accountCount, string? clientId, string? traceId);

    [LoggerMessage(EventId = 501, Level = LogLevel.Information, Message = "User {UserId}: session {SessionId} made active on device {DeviceId} (client {ClientId}, trace {TraceId}).")]
    public static partial void EventSwitched(ILogger logger, string? userId, string? sessionId, string? deviceId, string? clientId, string? traceId);

    [LoggerMessage(EventId = 502, Level = LogLevel.Information, Message = "User {UserId} re-authenticated: session {SessionId} renewed in place on device {DeviceId} (client {ClientId}, trace {TraceId}).")]
    public static partial void EventReauthenticated(ILogger logger, string? userId, string? sessionId, string? deviceId, string? clientId, string? traceId);

    [LoggerMessage(EventId = 503, Level = LogLevel.Information, Message = "User {UserId}: session {SessionId} on device {DeviceId} ended, reason {Reason} (client {ClientId}, trace {TraceId}).")]
    public static partial void EventSessionRevoked(ILogger logger, string? userId, string? sessionId, string? deviceId, SessionEndReason reason, string? clientId, string? traceId);

    [LoggerMessage(EventId = 504, Level = LogLevel.Information, Message = "Device {DeviceId} signed out of every account ({Count} sessions of users {UserIds}), reason {Reason} (client {ClientId}, trace {TraceId}).")]
    public static partial void EventSignedOutAll(ILogger logger, string? deviceId, int count, string userIds, SessionEndReason reason, string? clientId, string? traceId);

    [LoggerMessage(EventId = 505, Level = LogLevel.Information, Message = "Sign-in of user {UserId} refused on device {DeviceId}: it holds {Count} sessions and the limit is {MaximumSessions} (client {ClientId}, trace {TraceId}).")]
    public static partial void EventLimitRefused(ILogger logger, string? userId, string? deviceId, int count, int maximumSessions, string? clientId, string? traceId);

    [LoggerMessage(EventId = 506, Level = LogLevel.Information, Message = "Back-channel logout of user {UserId}, session {SessionId}, delivered to client {ClientId} on attempt {Attempt} (trace {TraceId}).")]
    public static partial void EventLogoutDelivered(ILogger logger, string? userId, string? sessionId, string? clientId, int attempt, string? traceId);

    [LoggerMessage(EventId = 507, Level = LogLevel.Error, Message = "Back-channel logout of user {UserId}, session {SessionId}, to client {ClientId} failed for good after {Attempt} attempts ({Reason}) (trace {TraceId}).")]
    public static partial void EventLogoutFailed(ILogger logger, string? userId, string? sessionId, string? clientId, int attempt, string? reason, string? traceId);

    [LoggerMessage(EventId = 508, Level = LogLevel.Error, Message = "The host's handler of the {EventName} event of user {UserId}, session {SessionId}, threw; the change stands (trace {TraceId}).")]
    public static partial void EventHandlerFailed(ILogger logger, string eventName, string? userId, string? sessionId, string? traceId, Exception exception);

    [LoggerMessage(EventId = 509, Level = LogLevel.Warning, Message = "The age of the oldest pending logout notification could not be read ({ExceptionType}); the gauge keeps its last value (trace {TraceId}).")]
    public static partial void MetricsGaugeReadFailed(ILogger logger, string exceptionType, string? traceId);

    [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "Device {DeviceId}: the account of session {SessionId}, signed out by the user, is remembered as signed out on this device.")]
    public static partial void AccountRemembered(ILogger logger, string deviceId, string sessionId);

    [LoggerMessage(EventId = 401, Level = LogLevel.Information, Message = "A remembered signed-out account ({EntryId}) was removed from its device's list.")]
    public static partial void RememberedAccountForgotten(ILogger logger, string entryId);

    [LoggerMessage(EventId = 402, Level = LogLevel.Information, Message = "Cleanup removed {Count} expired remembered signed-out accounts.")]
    public static partial void RememberedAccountsExpired(ILogger logger, int count);
}
