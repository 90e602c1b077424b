using IdentityServer.MultiSession.OpenIddict;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdpHost.Oidc;

/// <summary>
/// Registers the clients of the <c>Clients</c> configuration section at start-up, creating or updating each, so that a client
/// can be added with environment variables such as <c>Clients__1__ClientId</c>.
/// </summary>
public static class ClientRegistrar
{
    /// <summary>Reads and validates the <c>Clients</c> section; a bad entry stops the host with a message naming the setting.</summary>
    public static IReadOnlyList<ClientDefinition> Read(IConfiguration configuration)
    {
        var clients = new List<ClientDefinition>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var section in configuration.GetSection("Clients").GetChildren())
        {
            var client = section.Get<ClientDefinition>() ?? new ClientDefinition();
            var name = $"Clients:{section.Key}";
            if (string.IsNullOrWhiteSpace(client.ClientId))
            {
                throw new InvalidOperationException($"{name}:ClientId is required.");
            }

            if (!seen.Add(client.ClientId))
            {
                throw new InvalidOperationException($"{name}:ClientId '{client.ClientId}' is registered twice.");
            }

            foreach (var grantType in client.GrantTypes)
            {
                if (grantType is not (GrantTypes.AuthorizationCode or GrantTypes.RefreshToken or GrantTypes.ClientCredentials))
                {
                    throw new InvalidOperationException($"{name}:GrantTypes: '{grantType}' is not one of authorization_code, refresh_token, client_credentials.");
                }
            }

            if (client.GrantTypes.Contains(GrantTypes.ClientCredentials) && string.IsNullOrEmpty(client.ClientSecret))
            {
                throw new InvalidOperationException($"{name}:ClientSecret is required for the client_credentials grant.");
            }

            if (UsesAuthorizationCode(client) && client.RedirectUris.Count == 0)
            {
                throw new InvalidOperationException($"{name}:RedirectUris needs at least one absolute URI.");
            }

            CheckUris(client.RedirectUris, $"{name}:RedirectUris");
            CheckUris(client.PostLogoutRedirectUris, $"{name}:PostLogoutRedirectUris");
            CheckUris([.. new[] { client.BackChannelLogoutUri }.OfType<string>()], $"{name}:BackChannelLogoutUri");
            CheckUris([.. new[] { client.FrontChannelLogoutUri }.OfType<string>()], $"{name}:FrontChannelLogoutUri");
            clients.Add(client);
        }

        return clients;
    }

    /// <summary>
    /// Creates or updates each client in OpenIddict's store; each may request <paramref name="apiScopes"/> (the scopes of the APIs
    /// that are not restricted) and the scopes it lists itself.
    /// </summary>
    public static async Task RegisterAsync(IServiceProvider services, IReadOnlyList<ClientDefinition> clients, IEnumerable<string>? apiScopes = null)
    {
        await using var scope = services.CreateAsyncScope();
        var manager = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        foreach (var client in clients)
        {
            var descriptor = new OpenIddictApplicationDescriptor
            {
                ClientId = client.ClientId,
                ClientSecret = string.IsNullOrEmpty(client.ClientSecret) ? null : client.ClientSecret,
                ClientType = string.IsNullOrEmpty(client.ClientSecret) ? ClientTypes.Public : ClientTypes.Confidential,
                ConsentType = ConsentTypes.Implicit,
                DisplayName = client.DisplayName ?? client.ClientId,
                Permissions = { Permissions.Endpoints.Token, Permissions.Endpoints.Revocation },
            };
            if (UsesAuthorizationCode(client))
            {
                descriptor.Permissions.UnionWith(
                [
                    Permissions.Endpoints.Authorization,
                    Permissions.Endpoints.EndSession,
                    Permissions.GrantTypes.AuthorizationCode,
                    Permissions.GrantTypes.RefreshToken,
                    Permissions.ResponseTypes.Code,
                    Permissions.Scopes.Email,
                    Permissions.Scopes.Profile,
                ]);
                descriptor.Requirements.Add(Requirements.Features.ProofKeyForCodeExchange);
            }

            if (client.GrantTypes.Contains(GrantTypes.ClientCredentials))
            {
                descriptor.Permissions.Add(Permissions.GrantTypes.ClientCredentials);
            }

            foreach (var apiScope in (apiScopes ?? []).Concat(client.Scopes))
            {
                descriptor.Permissions.Add(Permissions.Prefixes.Scope + apiScope);
            }

            foreach (var uri in client.RedirectUris)
            {
                descriptor.RedirectUris.Add(new Uri(uri, UriKind.Absolute));
            }

            foreach (var uri in client.PostLogoutRedirectUris)
            {
                descriptor.PostLogoutRedirectUris.Add(new Uri(uri, UriKind.Absolute));
            }

            OpenIddictLogoutProperties.Apply(
                descriptor,
                client.BackChannelLogoutUri is { } backChannel ? new Uri(backChannel, UriKind.Absolute) : null,
                client.BackChannelLogoutSessionRequired,
                client.FrontChannelLogoutUri is { } frontChannel ? new Uri(frontChannel, UriKind.Absolute) : null,
                client.FrontChannelLogoutSessionRequired);

            var existing = await manager.FindByClientIdAsync(client.ClientId!);
            if (existing is null)
            {
                await manager.CreateAsync(descriptor);
            }
            else
            {
                await manager.UpdateAsync(existing, descriptor);
            }
        }
    }

    private static bool UsesAuthorizationCode(ClientDefinition client) =>
        client.GrantTypes.Count == 0 || client.GrantTypes.Contains(GrantTypes.AuthorizationCode);

    private static void CheckUris(List<string> uris, string name)
    {
        for (var i = 0; i < uris.Count; i++)
        {
            if (!Uri.TryCreate(uris[i], UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp) || !string.IsNullOrEmpty(uri.Fragment))
            {
                throw new InvalidOperationException($"{name}:{i} must be an absolute http(s) URI without a fragment (was '{uris[i]}').");
            }
        }
    }
}
