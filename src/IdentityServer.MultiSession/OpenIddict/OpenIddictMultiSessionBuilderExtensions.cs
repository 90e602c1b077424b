using IdentityServer.MultiSession.OpenIddict;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenIddict.Server;

namespace IdentityServer.MultiSession;

/// <summary>Adds the OpenIddict integration to the multi-session extension.</summary>
public static class OpenIddictMultiSessionBuilderExtensions
{
    /// <summary>
    /// Registers <see cref="OpenIddictMultiSessionAuthorization"/> for the host's authorization and end-session endpoints, and
    /// lets return URLs name OpenIddict's authorization endpoint.
    /// </summary>
    public static MultiSessionBuilder AddOpenIddictIntegration(this MultiSessionBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddScoped<OpenIddictMultiSessionAuthorization>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<MultiSessionOptions>, OpenIddictMultiSessionPostConfigureOptions>());
        AddLogoutNotifications(builder.Services);
        return builder;
    }

    // Back-channel logout: the core's outbox sender finds clients' logout URIs in OpenIddict's applications and has logout
    // tokens signed with the server's keys; discovery advertises back- and front-channel logout.
    private static void AddLogoutNotifications(IServiceCollection services)
    {
        services.TryAddSingleton<OpenIddictIssuerTracker>();
        services.TryAddScoped<Logout.IRelyingPartyLogoutRegistry, OpenIddictRelyingPartyLogoutRegistry>();
        services.TryAddSingleton<Logout.ILogoutTokenIssuer, OpenIddictLogoutTokenIssuer>();
        services.TryAddScoped<Logout.IFrontChannelLogoutUrlProvider, OpenIddictFrontChannelLogoutUrlProvider>();
        services.TryAdd(LogoutDiscoveryHandler.Descriptor.ServiceDescriptor);
        services.TryAdd(IssuerTrackingHandler.Descriptor.ServiceDescriptor);
        services.Configure<OpenIddictServerOptions>(options =>
        {
            options.Handlers.Add(LogoutDiscoveryHandler.Descriptor);
            options.Handlers.Add(IssuerTrackingHandler.Descriptor);
        });
    }
}
