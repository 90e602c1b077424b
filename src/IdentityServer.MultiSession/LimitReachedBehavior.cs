namespace IdentityServer.MultiSession;

/// <summary>
/// What happens when a device already holds <see cref="MultiSessionOptions.MaximumSessions"/> accounts and another signs in (BEHAVIOUR.md §3.3).
/// </summary>
public enum LimitReachedBehavior
{
    /// <summary>The sign-in is refused; the user is asked to sign out of an account first. The default.</summary>
    Reject = 0,

    /// <summary>The least recently used session on the device is ended to make room.</summary>
    EvictLeastRecentlyUsed = 1,
}
