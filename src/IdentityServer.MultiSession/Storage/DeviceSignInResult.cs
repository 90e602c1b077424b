namespace IdentityServer.MultiSession.Storage;

/// <summary>The outcome of <see cref="IDeviceSessionStore.SignInAsync"/>.</summary>
/// <param name="Session">The new session, or <c>null</c> when the limit was reached.</param>
/// <param name="DeviceRotated"><c>true</c> when a new device (and so a new cookie secret) was created.</param>
/// <param name="ReplacedSessionId">The same user's earlier session on this device, ended by this sign-in.</param>
/// <param name="EvictedSessionIds">Sessions ended to make room under <see cref="LimitReachedBehavior.EvictLeastRecentlyUsed"/>.</param>
public sealed record DeviceSignInResult(
    DeviceSessionEntity? Session,
    bool DeviceRotated,
    string? ReplacedSessionId,
    IReadOnlyList<string> EvictedSessionIds)
{
    /// <summary><c>true</c> when the sign-in was refused because the device is full.</summary>
    public bool LimitReached => Session is null;

    /// <summary>When the limit was reached: how many sessions the device holds (above the limit when it was lowered).</summary>
    public int SessionCount { get; init; }
}
