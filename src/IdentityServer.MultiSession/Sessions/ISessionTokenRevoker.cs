namespace IdentityServer.MultiSession.Sessions;

/// <summary>
/// Revokes what an OIDC engine issued through device sessions that have ended: the grants (authorizations) and the tokens
/// (authorization codes, refresh tokens, reference access tokens) tied to their <c>sid</c>. Engine-neutral: the OpenIddict
/// integration implements it; without an engine integration nothing is registered.
/// </summary>
/// <remarks>
/// Revocation is the durable clean-up. The refusal of an ended session's tokens does not wait for it: the token, userinfo
/// and introspection endpoints look the session up on every request.
/// </remarks>
public interface ISessionTokenRevoker
{
    /// <summary>Revokes the grants and tokens issued through <paramref name="sessions"/>; returns how many grants were revoked.</summary>
    /// <param name="sessions">The ended sessions: their <c>sid</c> and the user they belonged to.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<int> RevokeTokensOfSessionsAsync(IEnumerable<EndedSession> sessions, CancellationToken cancellationToken = default);

    /// <summary>
    /// Revokes the grants and tokens issued through every device session of a user (every session of the user has ended,
    /// for example after "sign out everywhere"); returns how many grants were revoked.
    /// </summary>
    /// <param name="userId">The user (the OIDC <c>sub</c>).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<int> RevokeTokensOfUserSessionsAsync(string userId, CancellationToken cancellationToken = default);
}
