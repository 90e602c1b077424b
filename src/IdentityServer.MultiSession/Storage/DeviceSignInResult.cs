using IdentityServer.MultiSession.Sessions;

namespace IdentityServer.MultiSession.Storage;

/// <summary>The outcome of <see cref="IDeviceSessionStore.SignInAsync"/>.</summary>
/// <param name="Session">The new or renewed session, or <c>null</c> when nothing was written (see <see cref="Outcome"/>).</param>
/// <param name="DeviceRotated"><c>true</c> when the device got a new secret (every successful sign-in).</param>
/// <param name="ReplacedSessionId">The same user's session on this device, renewed in place by this sign-in (its id is kept).</param>
/// <param name="EvictedSessionIds">Sessions ended to make room under <see cref="LimitReachedBehavior.EvictLeastRecentlyUsed"/>.</param>
public sealed record DeviceSignInResult(
    StoredDeviceSession? Session,
    bool DeviceRotated,
    string? ReplacedSessionId,
    IReadOnlyList<string> EvictedSessionIds)
{
    /// <summary>What the store did; by default <see cref="DeviceSignInOutcome.Added"/> when a session is returned, else <see cref="DeviceSignInOutcome.LimitReached"/>.</summary>
    public DeviceSignInOutcome Outcome { get; init; } = Session is null ? DeviceSignInOutcome.LimitReached : DeviceSignInOutcome.Added;

    /// <summary><c>true</c> when the sign-in was refused because the device is full.</summary>
    public bool LimitReached => Outcome == DeviceSignInOutcome.LimitReached;

    /// <summary>
    /// How many sessions the device holds: after a successful sign-in, with the new or renewed one; when the limit was reached,
    /// before it (above the limit when it was lowered).
    /// </summary>
    public int SessionCount { get; init; }

    /// <summary>The sessions ended to make room (the same as <see cref="EvictedSessionIds"/>, with their users and device).</summary>
    public IReadOnlyList<EndedSession> EvictedSessions { get; init; } = [];

    /// <summary>The device's expired sessions this sign-in removed.</summary>
    public IReadOnlyList<EndedSession> ExpiredSessions { get; init; } = [];
}
