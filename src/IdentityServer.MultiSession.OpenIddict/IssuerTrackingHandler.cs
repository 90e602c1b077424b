using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace IdentityServer.MultiSession.OpenIddict;

/// <summary>
/// Remembers the issuer the server uses for requests on this instance (its configured issuer, else the request's base URI, as
/// OpenIddict does), for logout tokens signed outside any request. Runs right after OpenIddict resolved the request URI.
/// </summary>
internal sealed class IssuerTrackingHandler(OpenIddictIssuerTracker tracker) : IOpenIddictServerHandler<ProcessRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessRequestContext>()
            .UseSingletonHandler<IssuerTrackingHandler>()
            .SetOrder(OpenIddictServerAspNetCoreHandlers.ResolveRequestUri.Descriptor.Order + 100)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ProcessRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        tracker.Issuer = context.Options.Issuer ?? context.BaseUri;
        return ValueTask.CompletedTask;
    }
}
