namespace IdentityServer.MultiSession.Storage;

/// <summary>What a sign-in asks of the store.</summary>
/// <param name="CurrentSecretHash">The hash of the device cookie the browser sent, if any.</param>
/// <param name="NewDevice">The device to create when the browser has no live device (a fresh secret: the cookie is rotated).</param>
/// <param name="Session">The new session; the store sets its device and slot.</param>
/// <param name="MaximumSessions">The limit per device.</param>
/// <param name="OnLimitReached">What to do at the limit.</param>
/// <param name="Now">The current time.</param>
public sealed record DeviceSignInRequest(
    string? CurrentSecretHash,
    DeviceEntity NewDevice,
    DeviceSessionEntity Session,
    int MaximumSessions,
    LimitReachedBehavior OnLimitReached,
    DateTimeOffset Now);
