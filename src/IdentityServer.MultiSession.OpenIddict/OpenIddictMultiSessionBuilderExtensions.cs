using IdentityServer.MultiSession.Authorization;
using IdentityServer.MultiSession.OpenIddict;
using IdentityServer.MultiSession.Sessions;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenIddict.Server;

namespace IdentityServer.MultiSession;

/// <summary>Adds the OpenIddict integration to the multi-session extension.</summary>
public static class OpenIddictMultiSessionBuilderExtensions
{
    /// <summary>
    /// Adds the OpenID Connect behaviour of the multi-session extension to an OpenIddict server:
    /// <list type="bullet">
    /// <item><see cref="OpenIddictMultiSessionAuthorization"/>, the one call of the host's authorization endpoint;</item>
    /// <item>OpenIddict server event handlers that put <c>sid</c> and <c>auth_time</c> into ID and access tokens, give access
    /// tokens their audiences, tie codes and refresh tokens to an authorization per (session, client), refuse code
    /// redemption and refresh (<c>invalid_grant</c>) and userinfo (401 <c>invalid_token</c>) for ended sessions, report their
    /// tokens inactive at introspection, and drop an unrelated <c>error_uri</c> from the host's own errors;</item>
    /// <item>the end-session page (<c>Areas/MultiSession/Pages/EndSession</c>), routed at OpenIddict's end-session endpoint
    /// paths (enable the end-session endpoint's pass-through);</item>
    /// <item><see cref="ISessionTokenRevoker"/>, which revokes the authorizations and tokens of ended sessions;</item>
    /// <item>OpenIddict's authorization endpoint paths as valid return URLs of the picker and login page;</item>
    /// <item>the OpenIddict application's display name shown in the picker (<see cref="IClientDisplayNameResolver"/>).</item>
    /// </list>
    /// </summary>
    public static MultiSessionBuilder AddOpenIddictIntegration(this MultiSessionBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.TryAddScoped<OpenIddictMultiSessionAuthorization>();
        services.TryAddScoped<SessionValidity>();
        services.TryAddScoped<ISessionTokenRevoker, OpenIddictSessionTokenRevoker>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IdentityServer.MultiSession.Storage.IProtocolRequestDetector, OpenIddictProtocolRequestDetector>());
        services.Replace(ServiceDescriptor.Scoped<IClientDisplayNameResolver, OpenIddictClientDisplayNameResolver>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<MultiSessionOptions>, OpenIddictMultiSessionPostConfigureOptions>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<RazorPagesOptions>, OpenIddictEndSessionPageRoutes>());

        services.AddOpenIddict().AddServer()
            .AddEventHandler(AttachSessionClaims.Descriptor)
            .AddEventHandler(AttachSessionAuthorization.Descriptor)
            .AddEventHandler(RejectEndedSessionGrants.Descriptor)
            .AddEventHandler(RejectEndedSessionUserInfo.Descriptor)
            .AddEventHandler(RejectEndedSessionIntrospection.Descriptor)
            .AddEventHandler(RemoveUnrelatedErrorUri.Descriptor);
        AddLogoutNotifications(services);
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
