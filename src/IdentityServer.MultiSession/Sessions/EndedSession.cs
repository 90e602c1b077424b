namespace IdentityServer.MultiSession.Sessions;

/// <summary>A device session that has ended, as <see cref="ISessionTokenRevoker"/> and the revocation events need it.</summary>
/// <param name="SessionId">The session id (the OIDC <c>sid</c>).</param>
/// <param name="UserId">The user the session belonged to (the OIDC <c>sub</c>).</param>
public sealed record EndedSession(string SessionId, string UserId)
{
    /// <summary>The id of the device the session was on (never its secret), when known.</summary>
    public string? DeviceId { get; init; }
}
