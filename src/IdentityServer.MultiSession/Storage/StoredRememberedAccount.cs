namespace IdentityServer.MultiSession.Storage;

/// <summary>
/// An account the user signed out of on one device, kept for that device's picker when
/// <see cref="MultiSessionOptions.RememberSignedOutAccounts"/> is on: a display name, a login name and the time, nothing else
/// (no user id, session, principal, client or secret).
/// </summary>
public sealed record StoredRememberedAccount
{
    /// <summary>A random id that names the entry on its device (for "Remove").</summary>
    public required string Id { get; init; }

    /// <summary>The name the picker showed for the account.</summary>
    public required string DisplayName { get; init; }

    /// <summary>The account's email, or its user name when it has no email: what the login form is filled in with.</summary>
    public required string LoginName { get; init; }

    /// <summary>When the user signed the account out on this device; the entry expires <see cref="MultiSessionOptions.RememberedAccountLifetime"/> later.</summary>
    public DateTimeOffset SignedOutAt { get; init; }
}
