using IdentityServer.MultiSession.Sessions;

namespace IdentityServer.MultiSession.Storage;

/// <summary>
/// Persists devices and device sessions. Every operation that names a device does so by the hash of its secret,
/// so that a session handle from another device names nothing (BEHAVIOUR.md §2). Implementations make sign-in atomic:
/// the limit and "one session per user per device" hold under concurrent requests (BEHAVIOUR.md §7).
/// </summary>
public interface IDeviceSessionStore
{
    /// <summary>
    /// Finds the device by its secret hash and, in the same round trip, the unexpired session named by
    /// <paramref name="sessionId"/> or, when <c>null</c>, the device's active session.
    /// </summary>
    Task<DeviceLookup?> FindAsync(string secretHash, string? sessionId, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Lists the device's unexpired sessions, most recently used first.</summary>
    Task<DeviceSessionList> ListAsync(string secretHash, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>
    /// Signs in atomically: gives the device a new secret (refusing a sign-in whose secret another sign-in just replaced), renews
    /// the same user's session in place or adds a session under the limit.
    /// </summary>
    Task<DeviceSignInResult> SignInAsync(DeviceSignInRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Makes the unexpired session named by <paramref name="handle"/> on this device active, in one conditional statement so that a
    /// session revoked meanwhile never becomes active; <c>null</c> when it names none. The caller records the use (<see cref="TouchAsync"/>).
    /// </summary>
    Task<StoredDeviceSession?> SetActiveAsync(string secretHash, string handle, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Makes the device's most recently used unexpired session active, or clears the active session when none remains.</summary>
    Task<StoredDeviceSession?> ActivateMostRecentAsync(string deviceId, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>
    /// Leaves the device without an active session (no account may become active without authenticating again); its
    /// sessions stay signed in. <c>true</c> when the device exists.
    /// </summary>
    Task<bool> ClearActiveSessionAsync(string deviceId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Ends the unexpired session named by <paramref name="handle"/> on this device; the most recently used remaining one
    /// becomes active if it was active, and the device is removed when none remains. With <paramref name="remember"/>, in the
    /// same transaction, the account is kept in the device's list of signed-out accounts (<see cref="StoredRememberedAccount"/>:
    /// display name, email or user name, time; an older entry of the same account is replaced), and the device is kept even
    /// when no session remains; a store without remembered accounts ignores the flag. <c>null</c> when it names none.
    /// </summary>
    Task<DeviceRevocation?> RevokeAsync(string secretHash, string handle, DateTimeOffset now, bool remember, CancellationToken cancellationToken = default);

    /// <summary>
    /// Ends every session on the device and removes the device with its remembered accounts; returns the sessions that ended
    /// (for the revocation events and token revocation), once the transaction that ended them has committed.
    /// </summary>
    Task<IReadOnlyList<EndedSession>> RevokeAllAsync(string secretHash, CancellationToken cancellationToken = default);

    /// <summary>
    /// Ends sessions of a user on every device: all of them, or with <paramref name="staleOnly"/> those whose recorded
    /// security-stamp hash is not <paramref name="currentStampHash"/>, rows that recorded none included. Returns the sessions that ended (for the revocation
    /// events), once the transaction that ended them has committed.
    /// </summary>
    Task<IReadOnlyList<EndedSession>> EndUserSessionsAsync(string userId, bool staleOnly, string? currentStampHash, CancellationToken cancellationToken = default);

    /// <summary>Removes up to <paramref name="batchSize"/> expired sessions and empty devices; returns the sessions removed.</summary>
    Task<IReadOnlyList<EndedSession>> RemoveExpiredSessionsAsync(DateTimeOffset now, int batchSize, CancellationToken cancellationToken = default);

    /// <summary>Ends one session by id (for example one whose stored principal cannot be read); returns how many ended (0 or 1).</summary>
    Task<int> RemoveSessionAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>Replaces a session's stored principal and security-stamp hash, and records when the stamp was checked.</summary>
    Task<bool> UpdateTicketAsync(string sessionId, byte[] ticket, string? securityStampHash, DateTimeOffset validatedAt, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records use of a session: its last-seen and expiry times. With <paramref name="secretHash"/>, only while that is still
    /// the device's current secret; <c>true</c> when a row was written.
    /// </summary>
    Task<bool> TouchAsync(string sessionId, DateTimeOffset lastSeenAt, DateTimeOffset expiresAt, string? secretHash = null, CancellationToken cancellationToken = default);

    /// <summary>Records that an OIDC client received tokens through a session.</summary>
    Task AddClientAsync(string sessionId, string clientId, CancellationToken cancellationToken = default);

    /// <summary>The ids of the OIDC clients that received tokens through a session.</summary>
    Task<IReadOnlyList<string>> ListClientsAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>Finds an unexpired session by id, on any device (for the token endpoint).</summary>
    Task<StoredDeviceSession?> FindByIdAsync(string sessionId, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Lists a user's unexpired sessions on every device, most recently used first, each with its clients.</summary>
    Task<IReadOnlyList<UserSessionRow>> ListUserSessionsAsync(string userId, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>
    /// Ends the session <paramref name="sessionId"/> only if it belongs to <paramref name="userId"/> (an id of another user's
    /// session names nothing), as every revocation does: logout notifications queued, the device's active session moved on.
    /// Returns the session ended, or <c>null</c>.
    /// </summary>
    Task<StoredDeviceSession?> RevokeUserSessionAsync(string userId, string sessionId, CancellationToken cancellationToken = default);

    /// <summary>Ends every session of a user except <paramref name="keptSessionId"/> (the one on the caller's device); returns the sessions ended.</summary>
    Task<IReadOnlyList<StoredDeviceSession>> RevokeUserSessionsExceptAsync(string userId, string keptSessionId, CancellationToken cancellationToken = default);

    /// <summary>Counts sessions, devices, devices at <paramref name="maximumSessions"/> and logout notifications pending or failed.</summary>
    Task<MultiSessionStatistics> GetStatisticsAsync(DateTimeOffset now, int maximumSessions, CancellationToken cancellationToken = default);
}
