using IdentityServer.MultiSession.Storage;

namespace Microsoft.EntityFrameworkCore;

/// <summary>
/// Adds the multi-session entities to a host's EF Core model.
/// </summary>
public static class MultiSessionModelBuilderExtensions
{
    /// <summary>
    /// Maps <see cref="DeviceEntity"/>, <see cref="DeviceSessionEntity"/>, <see cref="DeviceSessionClientEntity"/> the logout outbox (<see cref="LogoutNotificationEntity"/>) and the remembered signed-out accounts (<see cref="RememberedAccountEntity"/>) into the model; call it from <c>OnModelCreating</c>.
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
