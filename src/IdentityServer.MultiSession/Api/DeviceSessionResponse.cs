using System.Text.Json.Serialization;
using IdentityServer.MultiSession.Sessions;

namespace IdentityServer.MultiSession.Api;

/// <summary>One entry of <c>GET /multi-session/list-device-sessions</c> (BEHAVIOUR.md §6).</summary>
/// <param name="SessionToken">The opaque session handle.</param>
/// <param name="SessionId">The session id (the OIDC <c>sid</c>).</param>
/// <param name="Active"><c>true</c> for the active session.</param>
/// <param name="User">The account.</param>
/// <param name="CreatedAt">When the session was created.</param>
/// <param name="LastSeenAt">When it was last used.</param>
/// <param name="ExpiresAt">When it expires unless used.</param>
internal sealed record DeviceSessionResponse(
    string SessionToken,
    string SessionId,
    bool Active,
    DeviceSessionUserResponse User,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastSeenAt,
    DateTimeOffset ExpiresAt)
{
    /// <summary>
    /// <c>true</c> when the switch policy asks this account to sign in again before it is made active (set-active then answers
    /// 403 with the URL of the login page for it). Written only when <c>true</c>, so that the entry keeps its documented shape.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool RequiresReauthentication { get; init; }

    internal static DeviceSessionResponse From(DeviceSession session) => new(
        session.SessionToken,
        session.SessionId,
        session.IsActive,
        new DeviceSessionUserResponse(session.UserId, session.DisplayName, session.Email),
        session.CreatedAt,
        session.LastSeenAt,
        session.ExpiresAt)
    {
        RequiresReauthentication = session.RequiresReauthentication,
    };
}
