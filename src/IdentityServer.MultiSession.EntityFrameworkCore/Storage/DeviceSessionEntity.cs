namespace IdentityServer.MultiSession.Storage;

/// <summary>
/// Storage model of a device session: one signed-in account on one device (BEHAVIOUR.md §2).
/// Uniqueness of (<see cref="DeviceId"/>, <see cref="Slot"/>) holds the limit and uniqueness of
/// (<see cref="DeviceId"/>, <see cref="UserId"/>) holds "one session per user per device" in the database (BEHAVIOUR.md §7).
/// </summary>
internal sealed class DeviceSessionEntity
{
    /// <summary>The session id, used as the OIDC <c>sid</c>.</summary>
    public string Id { get; set; } = default!;

    /// <summary>The device this session belongs to.</summary>
    public string DeviceId { get; set; } = default!;

    /// <summary>The device.</summary>
    public DeviceEntity? Device { get; set; }

    /// <summary>The opaque session handle (the API's <c>sessionToken</c>); names this session only together with the device cookie.</summary>
    public string Handle { get; set; } = default!;

    /// <summary>The slot taken on the device, from 0 to <c>MaximumSessions - 1</c>.</summary>
    public int Slot { get; set; }

    /// <summary>The user id.</summary>
    public string UserId { get; set; } = default!;

    /// <summary>The user name at sign-in.</summary>
    public string? UserName { get; set; }

    /// <summary>The display name at sign-in.</summary>
    public string? DisplayName { get; set; }

    /// <summary>The email address at sign-in.</summary>
    public string? Email { get; set; }

    /// <summary>When the user authenticated (the OIDC <c>auth_time</c>).</summary>
    public DateTimeOffset AuthenticatedAt { get; set; }

    /// <summary>When the session was created.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When the session was last used.</summary>
    public DateTimeOffset LastSeenAt { get; set; }

    /// <summary>When the session expires: the sliding expiry, capped by <see cref="AbsoluteExpiresAt"/>.</summary>
    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>The absolute expiry, when configured.</summary>
    public DateTimeOffset? AbsoluteExpiresAt { get; set; }

    /// <summary>When the user's security stamp was last checked.</summary>
    public DateTimeOffset LastValidatedAt { get; set; }

    /// <summary>
    /// Hex SHA-256 hash of the user's security stamp when this session signed in (or last adopted a new stamp); a session whose
    /// hash differs from the user's current stamp has ended. <c>null</c> for rows written before it was recorded.
    /// </summary>
    public string? SecurityStampHash { get; set; }

    /// <summary>
    /// Space-separated authentication methods (RFC 8176 <c>amr</c> values) of the account's last authentication on this device:
    /// set when the user authenticates, kept by a refresh of the sign-in.
    /// </summary>
    public string? AuthenticationMethods { get; set; }

    /// <summary>The browser that signed in, summarised from its user agent ("Chrome", "Safari"); <c>null</c> when not recognised.</summary>
    public string? Browser { get; set; }

    /// <summary>The operating system that signed in, summarised from the user agent ("Windows", "iPhone"); <c>null</c> when not recognised.</summary>
    public string? OperatingSystem { get; set; }

    /// <summary>
    /// The network address at sign-in, truncated (IPv4 to its /24, IPv6 to its /48), only when
    /// <c>MultiSession:RecordIpAddress</c> is on; otherwise <c>null</c>.
    /// </summary>
    public string? IpAddress { get; set; }

    /// <summary>
    /// The principal that signed in (claims only, no secret), serialized and protected with ASP.NET Core Data Protection.
    /// </summary>
    public byte[] Ticket { get; set; } = [];
}
