namespace IdentityServer.MultiSession.Sessions;

/// <summary>
/// One of a user's sessions on any device, as "Your devices" and the administration pages show it. It carries no session handle:
/// a session of another device is named by its id, and only its own user (or an administrator) may end it.
/// </summary>
public sealed record UserDeviceSession
{
    /// <summary>The session id (the OIDC <c>sid</c>).</summary>
    public required string SessionId { get; init; }

    /// <summary>The user id.</summary>
    public required string UserId { get; init; }

    /// <summary>The browser that signed in ("Chrome"); <c>null</c> when not recognised.</summary>
    public string? Browser { get; init; }

    /// <summary>The operating system that signed in ("Windows"); <c>null</c> when not recognised.</summary>
    public string? OperatingSystem { get; init; }

    /// <summary>The truncated network address at sign-in, when recording it is on.</summary>
    public string? IpAddress { get; init; }

    /// <summary>When the user last authenticated on that device (the OIDC <c>auth_time</c>).</summary>
    public DateTimeOffset AuthenticatedAt { get; init; }

    /// <summary>When the session was created (the first sign-in on that device).</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the session was last used.</summary>
    public DateTimeOffset LastSeenAt { get; init; }

    /// <summary>When the session expires unless used again.</summary>
    public DateTimeOffset ExpiresAt { get; init; }

    /// <summary>The OIDC clients that received tokens through the session.</summary>
    public IReadOnlyList<string> ClientIds { get; init; } = [];

    /// <summary>"Chrome on Windows", "Safari on iPhone"; "Unknown browser" when neither is recognised (English, for logs and the API).</summary>
    public string Description => DeviceDescription.Describe(Browser, OperatingSystem);
}
