namespace IdentityServer.MultiSession.Storage;

/// <summary>
/// An account the user signed out of on one device, kept for that device's picker when
/// <see cref="MultiSessionOptions.RememberSignedOutAccounts"/> is on: a display name, a login name (the email, or the user name
/// when the account has none) and the time, nothing else (no user id, session, principal, client or secret). The row goes with
/// its device (a cascading foreign key).
/// </summary>
internal sealed class RememberedAccountEntity
{
    /// <summary>A random id that names the entry on its device (for "Remove").</summary>
    public string Id { get; set; } = default!;

    /// <summary>The device whose picker lists the account.</summary>
    public string DeviceId { get; set; } = default!;

    /// <summary>The name the picker showed for the account.</summary>
    public string DisplayName { get; set; } = default!;

    /// <summary>The account's email, or its user name when it has no email: what the login form is filled in with.</summary>
    public string LoginName { get; set; } = default!;

    /// <summary>When the user signed the account out on this device; the entry expires <see cref="MultiSessionOptions.RememberedAccountLifetime"/> later.</summary>
    public DateTimeOffset SignedOutAt { get; set; }
}
