namespace IdentityServer.MultiSession.Storage;

/// <summary>What a sign-in asks of the store.</summary>
/// <param name="CurrentSecretHash">The hash of the device cookie the browser sent, if any.</param>
/// <param name="NewSecretHash">
/// The hash of the device's new secret: it replaces the device's (a new secret on every sign-in, so that a cookie copied
/// before it reaches nothing after it), or is the secret of the device created when the browser has none.
/// </param>
/// <param name="NewDeviceId">The id of the device created when the browser has none; unused otherwise.</param>
/// <param name="Session">The new session; the store sets its <see cref="StoredDeviceSession.DeviceId"/> and takes a free slot.</param>
/// <param name="MaximumSessions">The limit per device.</param>
/// <param name="OnLimitReached">What to do at the limit.</param>
/// <param name="Now">The current time.</param>
public sealed record DeviceSignInRequest(
    string? CurrentSecretHash,
    string NewSecretHash,
    string NewDeviceId,
    StoredDeviceSession Session,
    int MaximumSessions,
    LimitReachedBehavior OnLimitReached,
    DateTimeOffset Now)
{
    /// <summary>
    /// A browser secret replaced after this time is recognised as "superseded moments ago": the sign-in is refused with
    /// <see cref="DeviceSignInOutcome.Superseded"/> and writes nothing. <c>null</c>: never.
    /// </summary>
    public DateTimeOffset? SupersededAfter { get; init; }

    /// <summary>
    /// <c>true</c> for a refresh of the signed-in user's session (<c>SignInManager.RefreshSignInAsync</c>): the session is
    /// renewed in place keeping its authentication time, creation time and absolute expiry; nothing is added when it is gone.
    /// </summary>
    public bool Refresh { get; init; }
}
