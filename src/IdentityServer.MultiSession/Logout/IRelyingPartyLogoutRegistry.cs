namespace IdentityServer.MultiSession.Logout;

/// <summary>
/// Finds what a client registered for logout notifications. The core knows only client ids; the engine integration (OpenIddict)
/// knows where the client's registration lives.
/// </summary>
public interface IRelyingPartyLogoutRegistry
{
    /// <summary>The client's logout registration, or <c>null</c> when no such client exists.</summary>
    Task<RelyingPartyLogoutRegistration?> FindAsync(string clientId, CancellationToken cancellationToken = default);
}
