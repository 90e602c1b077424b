using IdentityServer.MultiSession.Logout;
using IdentityServer.MultiSession.Storage;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using OpenIddict.Server;

namespace IdentityServer.MultiSession.OpenIddict;

/// <summary>Builds front-channel logout URLs from the session's clients and their OpenIddict registrations.</summary>
internal sealed class OpenIddictFrontChannelLogoutUrlProvider(
    IDeviceSessionStore store,
    IRelyingPartyLogoutRegistry registry,
    IOptionsMonitor<OpenIddictServerOptions> server,
    IOptionsMonitor<MultiSessionOptions> options,
    OpenIddictIssuerTracker tracker) : IFrontChannelLogoutUrlProvider
{
    public async Task<IReadOnlyList<Uri>> GetUrlsAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        var urls = new List<Uri>();
        var issuer = options.CurrentValue.BackChannelLogout.Issuer ?? server.CurrentValue.Issuer ?? tracker.Issuer;
        foreach (var clientId in await store.ListClientsAsync(sessionId, cancellationToken))
        {
            var registration = await registry.FindAsync(clientId, cancellationToken);
            if (registration?.FrontChannelLogoutUri is not { } uri)
            {
                continue;
            }

            if (registration.FrontChannelLogoutSessionRequired && issuer is not null)
            {
                uri = new Uri(QueryHelpers.AddQueryString(uri.AbsoluteUri, new Dictionary<string, string?>
                {
                    ["iss"] = issuer.AbsoluteUri,
                    ["sid"] = sessionId,
                }));
            }

            urls.Add(uri);
        }

        return urls;
    }
}
