namespace IdentityServer.MultiSession.Storage;

/// <summary>
/// Storage model of a device (one browser). The device cookie's secret is never stored: only its SHA-256 hash (BEHAVIOUR.md §2, §7).
/// </summary>
internal sealed class DeviceEntity
{
    /// <summary>Stable, non-secret id of the device, safe to log.</summary>
    public string Id { get; set; } = default!;

    /// <summary>Hex SHA-256 hash of the device secret; unique, the lookup key of every authenticated request.</summary>
    public string SecretHash { get; set; } = default!;

    /// <summary>
    /// Hex SHA-256 hash of the secret this device had before its last sign-in, kept only to recognise a sign-in that raced
    /// with that one (it is refused with "try again"); it authenticates nothing.
    /// </summary>
    public string? PreviousSecretHash { get; set; }

    /// <summary>When the secret was last replaced (by a sign-in); with <see cref="PreviousSecretHash"/>.</summary>
    public DateTimeOffset? SecretRotatedAt { get; set; }

    /// <summary>The device session the IdP uses when nothing else names an account; <c>null</c> when none.</summary>
    public string? ActiveSessionId { get; set; }

    /// <summary>When the device was first signed in.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When the device last signed in or switched account.</summary>
    public DateTimeOffset LastSeenAt { get; set; }

    /// <summary>The device sessions (accounts) on this device.</summary>
    public List<DeviceSessionEntity> Sessions { get; set; } = [];
}
