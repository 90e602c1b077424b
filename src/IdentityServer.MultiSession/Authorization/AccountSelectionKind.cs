namespace IdentityServer.MultiSession.Authorization;

/// <summary>How the account of an authorization request was chosen.</summary>
internal enum AccountSelectionKind
{
    /// <summary>The user picked an account in the picker.</summary>
    Picked = 1,

    /// <summary>The user was sent to the login page; the account that signs in after <see cref="AccountSelection.IssuedAt"/> is used.</summary>
    SignIn = 2,
}
