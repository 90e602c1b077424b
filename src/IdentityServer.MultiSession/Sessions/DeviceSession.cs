namespace IdentityServer.MultiSession.Sessions;

/// <summary>
/// One signed-in account on this device, as the picker, the API and the authorization endpoint see it (BEHAVIOUR.md §3.4).
/// </summary>
public sealed record DeviceSession
{
    /// <summary>The session id, used as the OIDC <c>sid</c>.</summary>
    public required string SessionId { get; init; }

    /// <summary>The opaque handle that names this session on this device (the API's <c>sessionToken</c>).</summary>
    public required string SessionToken { get; init; }

    /// <summary>The user id (the OIDC <c>sub</c>).</summary>
    public required string UserId { get; init; }

    /// <summary>The user name.</summary>
    public string? UserName { get; init; }

    /// <summary>The name shown in the picker: the display name, else the user name.</summary>
    public required string DisplayName { get; init; }

    /// <summary>The email address.</summary>
    public string? Email { get; init; }

    /// <summary><c>true</c> for the device's active session.</summary>
    public bool IsActive { get; init; }

    /// <summary>When the user authenticated (the OIDC <c>auth_time</c>).</summary>
    public DateTimeOffset AuthenticatedAt { get; init; }

    /// <summary>When the session was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the session was last used.</summary>
    public DateTimeOffset LastSeenAt { get; init; }

    /// <summary>When the session expires unless used again.</summary>
    public DateTimeOffset ExpiresAt { get; init; }

    /// <summary>The authentication methods (RFC 8176 <c>amr</c> values) of the account's last authentication on this device.</summary>
    public IReadOnlyList<string> AuthenticationMethods { get; init; } = [];

    /// <summary>The browser that signed in ("Chrome"), from its user agent; <c>null</c> when not recognised.</summary>
    public string? Browser { get; init; }

    /// <summary>The operating system that signed in ("Windows"), from the user agent; <c>null</c> when not recognised.</summary>
    public string? OperatingSystem { get; init; }

    /// <summary>The truncated network address at sign-in, when recording it is on; else <c>null</c>.</summary>
    public string? IpAddress { get; init; }

    /// <summary>
    /// <c>true</c> when the switch policy (<see cref="MultiSessionOptions.ReauthenticateAfter"/>) asks this account to authenticate
    /// again, with the methods of its last sign-in (<see cref="AuthenticationMethods"/>), before it is switched to, picked or
    /// used through a hint. Never <c>true</c> for the active account.
    /// </summary>
    public bool RequiresReauthentication { get; init; }
}
