namespace IdentityServer.MultiSession;

/// <summary>
/// Which accounts an RP-initiated logout (the end-session endpoint) ends (BEHAVIOUR.md §3.7).
/// </summary>
public enum EndSessionScope
{
    /// <summary>Every account on the device is signed out. The default.</summary>
    AllAccounts = 0,

    /// <summary>
    /// Only the account named by the <c>id_token_hint</c> is signed out; when other accounts are signed in on the device, the
    /// end-session page lets the user choose that account alone or every account. Without a hint, every account is.
    /// </summary>
    HintedAccount = 1,
}
