using IdentityServer.MultiSession.Authorization;
using IdentityServer.MultiSession.OpenIddict;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace IdentityServer.MultiSession;

/// <summary>Adds the OpenIddict integration to the multi-session extension.</summary>
public static class OpenIddictMultiSessionBuilderExtensions
{
    /// <summary>
    /// Registers <see cref="OpenIddictMultiSessionAuthorization"/> for the host's authorization and end-session endpoints, and
    /// lets return URLs name OpenIddict's authorization endpoint, and shows the OpenIddict application's display name in the picker.
    /// </summary>
    public static MultiSessionBuilder AddOpenIddictIntegration(this MultiSessionBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddScoped<OpenIddictMultiSessionAuthorization>();
        builder.Services.Replace(ServiceDescriptor.Scoped<IClientDisplayNameResolver, OpenIddictClientDisplayNameResolver>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<MultiSessionOptions>, OpenIddictMultiSessionPostConfigureOptions>());
        return builder;
    }
}
