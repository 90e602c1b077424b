using System.Globalization;

namespace IdentityServer.MultiSession.Authorization;

/// <summary>
/// Finds the name of an OIDC client to show to users ("to continue to Demo client"), whatever engine registers the clients.
/// The OpenIddict integration reads the application's display name; without it, no name is known.
/// </summary>
public interface IClientDisplayNameResolver
{
    /// <summary>The display name of the client <paramref name="clientId"/> in <paramref name="culture"/>, or <c>null</c> when unknown.</summary>
    ValueTask<string?> GetDisplayNameAsync(string clientId, CultureInfo culture, CancellationToken cancellationToken);
}
