using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace IdentityServer.MultiSession.OpenIddict;

/// <summary>
/// Advertises back-channel and front-channel logout (with the session id) in the discovery document, and remembers the issuer
/// the server used, for logout tokens signed outside any request.
/// </summary>
internal sealed class LogoutDiscoveryHandler(OpenIddictIssuerTracker tracker) : IOpenIddictServerHandler<HandleConfigurationRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<HandleConfigurationRequestContext>()
            .UseSingletonHandler<LogoutDiscoveryHandler>()
            .SetOrder(int.MaxValue - 100_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(HandleConfigurationRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        tracker.Issuer = context.Issuer ?? context.Options.Issuer ?? context.BaseUri;
        context.Metadata["backchannel_logout_supported"] = true;
        context.Metadata["backchannel_logout_session_supported"] = true;
        context.Metadata["frontchannel_logout_supported"] = true;
        context.Metadata["frontchannel_logout_session_supported"] = true;
        return ValueTask.CompletedTask;
    }
}
