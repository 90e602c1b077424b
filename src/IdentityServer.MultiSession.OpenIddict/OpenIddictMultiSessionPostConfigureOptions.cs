using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using OpenIddict.Server;

namespace IdentityServer.MultiSession.OpenIddict;

/// <summary>
/// Adds OpenIddict's authorization endpoint paths to <see cref="MultiSessionOptions.AuthorizationEndpointPaths"/>, so that
/// the picker and the login page may return to an authorization request with its parameters (BEHAVIOUR.md §5).
/// </summary>
internal sealed class OpenIddictMultiSessionPostConfigureOptions(IOptionsMonitor<OpenIddictServerOptions> server) : IPostConfigureOptions<MultiSessionOptions>
{
    public void PostConfigure(string? name, MultiSessionOptions options)
    {
        foreach (var uri in server.CurrentValue.AuthorizationEndpointUris)
        {
            var path = new PathString("/" + (uri.IsAbsoluteUri ? uri.AbsolutePath : uri.OriginalString).TrimStart('/'));
            if (!options.AuthorizationEndpointPaths.Contains(path))
            {
                options.AuthorizationEndpointPaths.Add(path);
            }
        }
    }
}
