using IdentityServer.MultiSession.Logout;
using OpenIddict.Abstractions;

namespace IdentityServer.MultiSession.OpenIddict;

/// <summary>Reads a client's logout registration from its OpenIddict application (<see cref="OpenIddictLogoutProperties"/>).</summary>
internal sealed class OpenIddictRelyingPartyLogoutRegistry : IRelyingPartyLogoutRegistry
{
    private readonly IOpenIddictApplicationManager _applications;

    /// <summary>Creates the registry.</summary>
    public OpenIddictRelyingPartyLogoutRegistry(IOpenIddictApplicationManager applications) => _applications = applications;

    /// <inheritdoc />
    public async Task<RelyingPartyLogoutRegistration?> FindAsync(string clientId, CancellationToken cancellationToken = default)
    {
        var application = await _applications.FindByClientIdAsync(clientId, cancellationToken);
        if (application is null)
        {
            return null;
        }

        return OpenIddictLogoutProperties.Read(clientId, await _applications.GetPropertiesAsync(application, cancellationToken));
    }
}
