namespace IdentityServer.MultiSession.Sessions;

/// <summary>
/// An account signed out on this device that its picker still lists as "Signed out"
/// (<see cref="MultiSessionOptions.RememberSignedOutAccounts"/>): nothing but a name, a login name and times.
/// </summary>
public sealed record RememberedAccount
{
    /// <summary>The opaque id that names the entry on this device (for "Remove"); worthless on another device.</summary>
    public required string Id { get; init; }

    /// <summary>The name the picker shows.</summary>
    public required string DisplayName { get; init; }

    /// <summary>The account's email, or its user name when it has none: what the login form is filled in with.</summary>
    public required string LoginName { get; init; }

    /// <summary>When the user signed the account out on this device.</summary>
    public DateTimeOffset SignedOutAt { get; init; }

    /// <summary>When the entry is forgotten unless removed earlier.</summary>
    public DateTimeOffset ExpiresAt { get; init; }
}
