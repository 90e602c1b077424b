namespace IdentityServer.MultiSession;

/// <summary>
/// Why a device session ended: carried by the revocation event, its log line and the <c>reason</c> tag of the revocation
/// counter, so that an audit trail and a dashboard can tell a user's own sign-out from an administrator's revocation or an expiry.
/// </summary>
public enum SessionEndReason
{
    /// <summary>The user signed the account out (the picker, the JSON API, the IdP's sign-out of all accounts).</summary>
    User = 0,

    /// <summary>An administrator revoked the session (the admin console or API, or host code acting for an administrator).</summary>
    Admin = 1,

    /// <summary>
    /// The session made room for a new account on a full device (<see cref="LimitReachedBehavior.EvictLeastRecentlyUsed"/>).
    /// </summary>
    Eviction = 2,

    /// <summary>
    /// The user's security stamp changed (password reset, "sign out everywhere") or the user may no longer sign in (deleted,
    /// refused by a principal validator): the session was created under an older stamp or its account is gone.
    /// </summary>
    SecurityStamp = 3,

    /// <summary>The session's sliding or absolute lifetime ran out and the cleanup (or a sign-in on that device) removed it.</summary>
    Expiry = 4,

    /// <summary>A relying party asked for the sign-out (OpenID Connect RP-initiated logout at the end-session endpoint).</summary>
    RelyingPartyLogout = 5,

    /// <summary>The session's stored principal could not be read any more (for example the data-protection keys were lost).</summary>
    Unreadable = 6,
}
