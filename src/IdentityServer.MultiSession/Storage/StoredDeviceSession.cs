namespace IdentityServer.MultiSession.Storage;

/// <summary>
/// A device session as the store hands it to the session service and takes it for a sign-in: one signed-in account on one
/// device (docs/BEHAVIOUR.md §2). Immutable: a change is written through the store, and a copy made with <c>with</c> carries
/// it where the caller goes on using the session.
/// </summary>
public sealed record StoredDeviceSession
{
    /// <summary>The session id, used as the OIDC <c>sid</c>.</summary>
    public required string Id { get; init; }

    /// <summary>The device this session belongs to. In a sign-in request the store sets it to the device the session lands on.</summary>
    public required string DeviceId { get; init; }

    /// <summary>The opaque session handle (the API's <c>sessionToken</c>); names this session only together with the device cookie.</summary>
    public required string Handle { get; init; }

    /// <summary>The user id.</summary>
    public required string UserId { get; init; }

    /// <summary>The user name at sign-in.</summary>
    public string? UserName { get; init; }

    /// <summary>The display name at sign-in.</summary>
    public string? DisplayName { get; init; }

    /// <summary>The email address at sign-in.</summary>
    public string? Email { get; init; }

    /// <summary>When the user authenticated (the OIDC <c>auth_time</c>).</summary>
    public DateTimeOffset AuthenticatedAt { get; init; }

    /// <summary>When the session was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the session was last used.</summary>
    public DateTimeOffset LastSeenAt { get; init; }

    /// <summary>When the session expires: the sliding expiry, capped by <see cref="AbsoluteExpiresAt"/>.</summary>
    public DateTimeOffset ExpiresAt { get; init; }

    /// <summary>The absolute expiry, when configured.</summary>
    public DateTimeOffset? AbsoluteExpiresAt { get; init; }

    /// <summary>When the user's security stamp was last checked.</summary>
    public DateTimeOffset LastValidatedAt { get; init; }

    /// <summary>
    /// Hex SHA-256 hash of the user's security stamp when this session signed in (or last adopted a new stamp); a session whose
    /// hash differs from the user's current stamp has ended. <c>null</c> for rows written before it was recorded.
    /// </summary>
    public string? SecurityStampHash { get; init; }

    /// <summary>
    /// Space-separated authentication methods (RFC 8176 <c>amr</c> values) of the account's last authentication on this device:
    /// set when the user authenticates, kept by a refresh of the sign-in.
    /// </summary>
    public string? AuthenticationMethods { get; init; }

    /// <summary>The browser that signed in, summarised from its user agent ("Chrome", "Safari"); <c>null</c> when not recognised.</summary>
    public string? Browser { get; init; }

    /// <summary>The operating system that signed in, summarised from the user agent ("Windows", "iPhone"); <c>null</c> when not recognised.</summary>
    public string? OperatingSystem { get; init; }

    /// <summary>
    /// The network address at sign-in, truncated (IPv4 to its /24, IPv6 to its /48), only when
    /// <c>MultiSession:RecordIpAddress</c> is on; otherwise <c>null</c>.
    /// </summary>
    public string? IpAddress { get; init; }

    /// <summary>
    /// The principal that signed in (claims only, no secret), serialized and protected with ASP.NET Core Data Protection.
    /// The array is the stored value: read it, never change it.
    /// </summary>
    public byte[] Ticket { get; init; } = [];
}
