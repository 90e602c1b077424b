namespace IdentityServer.MultiSession.Logout;

/// <summary>
/// Creates signed logout tokens (OpenID Connect Back-Channel Logout 1.0). The engine integration signs them with the IdP's own
/// signing credentials, so that relying parties validate them with the keys they already trust.
/// </summary>
public interface ILogoutTokenIssuer
{
    /// <summary>
    /// A signed logout token, or <c>null</c> when none can be issued yet (no issuer or signing key known on this instance);
    /// <paramref name="reason"/> then says why.
    /// </summary>
    string? CreateToken(LogoutTokenRequest request, out string? reason);
}
