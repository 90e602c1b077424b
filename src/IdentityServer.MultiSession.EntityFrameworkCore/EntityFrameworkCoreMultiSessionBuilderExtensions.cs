using IdentityServer.MultiSession.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IdentityServer.MultiSession;

/// <summary>Adds the EF Core store to the multi-session extension: <c>AddMultiSession().AddEntityFrameworkStore&lt;TContext&gt;()</c>.</summary>
public static class EntityFrameworkCoreMultiSessionBuilderExtensions
{
    /// <summary>
    /// Stores devices, sessions and the logout outbox with EF Core in <typeparamref name="TContext"/>, whose <c>OnModelCreating</c>
    /// calls <see cref="MultiSessionModelBuilderExtensions.UseMultiSession"/>. Registers the SQLSTATE 23505 unique-constraint
    /// detector (PostgreSQL); hosts on other providers add theirs with <see cref="AddUniqueConstraintViolationDetector{TDetector}"/>.
    /// </summary>
    /// <typeparam name="TContext">The host's context.</typeparam>
    public static MultiSessionBuilder AddEntityFrameworkStore<TContext>(this MultiSessionBuilder builder)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;

        // The store, behind the device lookup cache (off unless MultiSession:DeviceLookupCache is On).
        services.TryAddScoped<EntityFrameworkDeviceSessionStore<TContext>>();
        services.AddHttpContextAccessor();
        services.TryAddSingleton<DeviceLookupCache>();
        services.TryAddScoped<IDeviceSessionStore>(sp => new DeviceLookupCachingStore(
            sp.GetRequiredService<EntityFrameworkDeviceSessionStore<TContext>>(),
            sp.GetRequiredService<DeviceLookupCache>(),
            sp.GetRequiredService<Microsoft.AspNetCore.Http.IHttpContextAccessor>(),
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<MultiSessionOptions>>(),
            () => sp.GetRequiredService<TContext>().Database.ProviderName));
        services.TryAddSingleton<PostgreSqlDeviceChangeListener<TContext>>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, PostgreSqlDeviceChangeListener<TContext>>(
            sp => sp.GetRequiredService<PostgreSqlDeviceChangeListener<TContext>>()));
        services.TryAddScoped<ILogoutNotificationStore, EntityFrameworkLogoutNotificationStore<TContext>>();
        services.TryAddScoped<IRememberedAccountStore, EntityFrameworkRememberedAccountStore<TContext>>();
        return builder.AddUniqueConstraintViolationDetector<SqlStateUniqueConstraintViolationDetector>();
    }

    /// <summary>
    /// Registers how the store recognises a unique-constraint violation of the host's database provider (by its error code).
    /// SQLSTATE 23505 (PostgreSQL) is registered with the store; hosts on other providers add theirs.
    /// </summary>
    /// <typeparam name="TDetector">The detector.</typeparam>
    public static MultiSessionBuilder AddUniqueConstraintViolationDetector<TDetector>(this MultiSessionBuilder builder)
        where TDetector : class, IUniqueConstraintViolationDetector
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IUniqueConstraintViolationDetector, TDetector>());
        return builder;
    }
}
