namespace IdpHost.Identity;

/// <summary>What a passkey sign-in came to.</summary>
public enum PasskeySignInOutcome
{
    /// <summary>The account was added to the browser (or renewed in place) and is active.</summary>
    SignedIn,

    /// <summary>
    /// Refused without saying why: no ceremony was pending (expired, or finished in another tab), the authenticator's answer
    /// did not verify, or the account may not sign in (locked out, unconfirmed).
    /// </summary>
    Failed,

    /// <summary>The browser holds the maximum of accounts and this one is not among them: nothing was written.</summary>
    LimitReached,
}
