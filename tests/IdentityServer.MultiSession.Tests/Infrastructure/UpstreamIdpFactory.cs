using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityServer.MultiSession.Tests.Infrastructure;

/// <summary>
/// A second, independent IdpHost (its own SQLite file, its own keys) on Kestrel at <c>http://127.0.0.1:{free port}</c>: the
/// real upstream OpenID Connect provider of <see cref="ExternalIdpFactory"/>. The downstream IdP is registered in it as a
/// confidential client through configuration, exactly as an operator would register it.
/// </summary>
public sealed class UpstreamIdpFactory : IdpFactory
{
    public const string DownstreamClientId = "multisession-downstream";
    public const string DownstreamClientSecret = "downstream-secret-for-tests";

    /// <summary>Starts the upstream; <paramref name="downstreamRedirectUri"/> is the downstream's external callback.</summary>
    public UpstreamIdpFactory(string downstreamRedirectUri)
    {
        Settings["Clients:2:ClientId"] = DownstreamClientId;
        Settings["Clients:2:ClientSecret"] = DownstreamClientSecret;
        Settings["Clients:2:DisplayName"] = "MultiSession IdP under test";
        Settings["Clients:2:RedirectUris:0"] = downstreamRedirectUri;
        UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        StartServer();
        var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUri = new Uri(address.TrimEnd('/') + "/");
    }

    /// <summary>The upstream's address (and issuer), such as <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseUri { get; }

    /// <summary>A browser's view of the upstream: a real HTTP client with its own cookie jar.</summary>
    public UpstreamBrowser CreateUpstreamBrowser() => new(this);
}
