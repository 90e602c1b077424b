namespace IdentityServer.MultiSession.Storage;

/// <summary>
/// A device (one browser) as the store hands it to the session service: its id and its active session. Its secret, and even
/// the hash of the secret, stay in the store.
/// </summary>
public sealed record StoredDevice
{
    /// <summary>Stable, non-secret id of the device, safe to log.</summary>
    public required string Id { get; init; }

    /// <summary>The device session the IdP uses when nothing else names an account; <c>null</c> when none.</summary>
    public string? ActiveSessionId { get; init; }
}
