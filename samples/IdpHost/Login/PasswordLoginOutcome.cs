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

    /// <summary>The password was right but the account may not sign in (for example an unconfirmed email).</summary>
    NotAllowed = 4,

    /// <summary>The password was right and the account has two-factor sign-in on: its second factor is asked for next.</summary>
    RequiresTwoFactor = 5,
}
