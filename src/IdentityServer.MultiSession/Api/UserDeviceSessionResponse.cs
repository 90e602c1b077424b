using IdentityServer.MultiSession.Sessions;

namespace IdentityServer.MultiSession.Api;

/// <summary>One of a user's sessions on any device, as the "Your devices" and administration APIs answer it.</summary>
/// <param name="SessionId">The session id (the OIDC <c>sid</c>): names the session in a sign-out or revocation.</param>
/// <param name="Current">For "Your devices": <c>true</c> for the session of the calling browser; always <c>false</c> for administrators.</param>
/// <param name="Device">"Chrome on Windows"; "Unknown browser" when not recognised.</param>
/// <param name="Browser">The browser, or <c>null</c>.</param>
/// <param name="OperatingSystem">The operating system, or <c>null</c>.</param>
/// <param name="IpAddress">The truncated network address at sign-in, when recording it is on.</param>
/// <param name="SignedInAt">When the user last authenticated on that device.</param>
/// <param name="CreatedAt">When the session was created.</param>
/// <param name="LastSeenAt">When the session was last used.</param>
/// <param name="ExpiresAt">When the session expires unless used again.</param>
/// <param name="Clients">The OIDC clients that received tokens through the session.</param>
internal sealed record UserDeviceSessionResponse(
    string SessionId,
    bool Current,
    string Device,
    string? Browser,
    string? OperatingSystem,
    string? IpAddress,
    DateTimeOffset SignedInAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastSeenAt,
    DateTimeOffset ExpiresAt,
    IReadOnlyList<string> Clients)
{
    /// <summary>Maps a session; <paramref name="currentSessionId"/> marks the caller's own.</summary>
    public static UserDeviceSessionResponse From(UserDeviceSession session, string? currentSessionId)
    {
        ArgumentNullException.ThrowIfNull(session);
        return new(
            session.SessionId,
            session.SessionId == currentSessionId,
            session.Description,
            session.Browser,
            session.OperatingSystem,
            session.IpAddress,
            session.AuthenticatedAt,
            session.CreatedAt,
            session.LastSeenAt,
            session.ExpiresAt,
            session.ClientIds);
    }
}
