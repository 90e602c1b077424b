namespace IdentityServer.MultiSession.Storage;

/// <summary>What <see cref="IDeviceSessionStore.SignInAsync"/> did.</summary>
public enum DeviceSignInOutcome
{
    /// <summary>A new session was added to the device (a new device when the browser had none).</summary>
    Added,

    /// <summary>The user's session on this device was renewed in place: same slot, same id, clients kept.</summary>
    Renewed,

    /// <summary>Nothing was written: the device holds the limit and the policy is to refuse.</summary>
    LimitReached,

    /// <summary>
    /// Nothing was written: the browser's device secret was replaced moments ago by another sign-in of the same browser
    /// (a racing sign-in); the user is asked to try again.
    /// </summary>
    Superseded,

    /// <summary>Nothing was written: a refresh named a session that no longer exists on this device.</summary>
    SessionGone,
}
