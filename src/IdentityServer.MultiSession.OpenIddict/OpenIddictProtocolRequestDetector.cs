using IdentityServer.MultiSession.Storage;
using Microsoft.AspNetCore.Http;
using OpenIddict.Server.AspNetCore;

namespace IdentityServer.MultiSession.OpenIddict;

/// <summary>A request that OpenIddict's server recognised as one of its endpoints.</summary>
internal sealed class OpenIddictProtocolRequestDetector : IProtocolRequestDetector
{
    public bool IsProtocolRequest(HttpContext context) =>
        context.Features.Get<OpenIddictServerAspNetCoreFeature>()?.Transaction?.Request is not null;
}
