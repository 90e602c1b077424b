namespace IdpHost.Login;

/// <summary>The outcome of one password sign-in attempt. Every outcome but <see cref="SignedIn"/> shows the same message.</summary>
public enum PasswordLoginOutcome
{
    /// <summary>The password was right and the account is now signed in.</summary>
    SignedIn = 0,

    /// <summary>No account has that user name or email.</summary>
    UnknownUser = 1,

    /// <summary>The password was wrong (the attempt counts towards the lockout).</summary>
    WrongPassword = 2,

    /// <summary>The account is locked after too many failed attempts.</summary>
    LockedOut = 3,

    /// <summary>The password was right but the account may not sign in (unconfirmed, or a second factor the sample does not offer).</summary>
    NotAllowed = 4,
}
