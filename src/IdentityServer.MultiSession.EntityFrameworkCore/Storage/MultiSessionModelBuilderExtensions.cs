using IdentityServer.MultiSession.Storage;

namespace Microsoft.EntityFrameworkCore;

/// <summary>
/// Adds the multi-session entities to a host's EF Core model.
/// </summary>
public static class MultiSessionModelBuilderExtensions
{
    /// <summary>
    /// Maps the multi-session tables into the model (entity types internal to this package): <c>MultiSessionDevices</c>,
    /// <c>MultiSessionDeviceSessions</c>, <c>MultiSessionDeviceSessionClients</c>, the logout outbox
    /// <c>MultiSessionLogoutNotifications</c> and the remembered signed-out accounts <c>MultiSessionRememberedAccounts</c>; call
    /// it from <c>OnModelCreating</c>.
    /// </summary>
    public static ModelBuilder UseMultiSession(this ModelBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.ApplyConfiguration(new DeviceEntityConfiguration());
        builder.ApplyConfiguration(new DeviceSessionEntityConfiguration());
        builder.ApplyConfiguration(new DeviceSessionClientEntityConfiguration());
        builder.ApplyConfiguration(new LogoutNotificationEntityConfiguration());
        builder.ApplyConfiguration(new RememberedAccountEntityConfiguration());
        return builder;
    }
}
