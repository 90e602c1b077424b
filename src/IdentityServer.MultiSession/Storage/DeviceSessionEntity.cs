namespace IdentityServer.MultiSession.Storage;

/// <summary>
/// Storage model of a device session: one signed-in account on one device (SPEC §2).
/// Uniqueness of (<see cref="DeviceId"/>, <see cref="Slot"/>) holds the limit and uniqueness of
/// (<see cref="DeviceId"/>, <see cref="UserId"/>) holds "one session per user per device" in the database (SPEC §7).
/// </summary>
public class DeviceSessionEntity
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

    /// <summary>The serialized principal that signed in (claims only, no secret).</summary>
    public byte[] Ticket { get; set; } = [];
}
