using Microsoft.Extensions.DependencyInjection;

namespace IdentityServer.MultiSession;

/// <summary>
/// Configures the multi-session extension after <c>AddMultiSession</c>: the store, and engine integrations.
/// </summary>
public sealed class MultiSessionBuilder
{
    /// <summary>Creates the builder over <paramref name="services"/>.</summary>
    public MultiSessionBuilder(IServiceCollection services) => Services = services ?? throw new ArgumentNullException(nameof(services));

    /// <summary>The services.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Configures the options.</summary>
    public MultiSessionBuilder Configure(Action<MultiSessionOptions> configure)
    {
        Services.Configure(configure);
        return this;
    }
}
