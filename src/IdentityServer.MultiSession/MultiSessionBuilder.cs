using IdentityServer.MultiSession.Sessions;
using IdentityServer.MultiSession.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

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

    /// <summary>
    /// Stores devices and sessions with EF Core in <typeparamref name="TContext"/>, whose <c>OnModelCreating</c> calls
    /// <see cref="MultiSessionModelBuilderExtensions.UseMultiSession"/>.
    /// </summary>
    public MultiSessionBuilder AddEntityFrameworkStore<TContext>()
        where TContext : DbContext
    {
        // The store, behind the device lookup cache (off unless MultiSession:DeviceLookupCache is On).
        Services.TryAddScoped<EntityFrameworkDeviceSessionStore<TContext>>();
        Services.AddHttpContextAccessor();
        Services.TryAddSingleton<DeviceLookupCache>();
        Services.TryAddScoped<IDeviceSessionStore>(sp => new DeviceLookupCachingStore(
            sp.GetRequiredService<EntityFrameworkDeviceSessionStore<TContext>>(),
            sp.GetRequiredService<DeviceLookupCache>(),
            sp.GetRequiredService<Microsoft.AspNetCore.Http.IHttpContextAccessor>(),
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<MultiSessionOptions>>(),
            () => sp.GetRequiredService<TContext>().Database.ProviderName));
        Services.TryAddSingleton<PostgreSqlDeviceChangeListener<TContext>>();
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, PostgreSqlDeviceChangeListener<TContext>>(
            sp => sp.GetRequiredService<PostgreSqlDeviceChangeListener<TContext>>()));
        Services.TryAddScoped<ILogoutNotificationStore, EntityFrameworkLogoutNotificationStore<TContext>>();
        Services.TryAddScoped<IRememberedAccountStore, EntityFrameworkRememberedAccountStore<TContext>>();
        Services.TryAddScoped<IRememberedAccountService, DefaultRememberedAccountService>();
        return AddUniqueConstraintViolationDetector<SqlStateUniqueConstraintViolationDetector>();
    }

    /// <summary>
    /// Registers how the store recognises a unique-constraint violation of the host's database provider (by its error code).
    /// SQLSTATE 23505 (PostgreSQL) is registered with the store; hosts on other providers add theirs.
    /// </summary>
    /// <typeparam name="TDetector">The detector.</typeparam>
    public MultiSessionBuilder AddUniqueConstraintViolationDetector<TDetector>()
        where TDetector : class, IUniqueConstraintViolationDetector
    {
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<IUniqueConstraintViolationDetector, TDetector>());
        return this;
    }

    /// <summary>Configures the options.</summary>
    public MultiSessionBuilder Configure(Action<MultiSessionOptions> configure)
    {
        Services.Configure(configure);
        return this;
    }
}
