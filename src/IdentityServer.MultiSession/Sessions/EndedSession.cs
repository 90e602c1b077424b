namespace IdentityServer.MultiSession.Sessions;

/// <summary>A device session that has ended, as <see cref="ISessionTokenRevoker"/> needs it.</summary>
/// <param name="SessionId">The session id (the OIDC <c>sid</c>).</param>
/// <param name="UserId">The user the session belonged to (the OIDC <c>sub</c>).</param>
public sealed record EndedSession(string SessionId, string UserId);
