using System.Globalization;
using IdentityServer.MultiSession.Authorization;
using OpenIddict.Abstractions;

namespace IdentityServer.MultiSession.OpenIddict;

/// <summary>The client's display name as registered with OpenIddict, localised when the application has a name in the culture.</summary>
internal sealed class OpenIddictClientDisplayNameResolver(IOpenIddictApplicationManager applications) : IClientDisplayNameResolver
{
    public async ValueTask<string?> GetDisplayNameAsync(string clientId, CultureInfo culture, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(clientId) || clientId.Length > 200)
        {
            return null;
        }

        var application = await applications.FindByClientIdAsync(clientId, cancellationToken);
        if (application is null)
        {
            return null;
        }

        var name = await applications.GetLocalizedDisplayNameAsync(application, culture, cancellationToken);
        return string.IsNullOrWhiteSpace(name) ? null : name;
    }
}
