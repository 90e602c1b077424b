using IdentityServer.MultiSession.Storage;

namespace Microsoft.EntityFrameworkCore;

/// <summary>
/// Adds the multi-session entities to a host's EF Core model.
/// </summary>
public static class MultiSessionModelBuilderExtensions
{
    /// <summary>
    /// Maps <see cref="DeviceEntity"/> and <see cref="DeviceSessionEntity"/> into the model; call it from <c>OnModelCreating</c>.
    /// </summary>
    public static ModelBuilder UseMultiSession(this ModelBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.ApplyConfiguration(new DeviceEntityConfiguration());
        builder.ApplyConfiguration(new DeviceSessionEntityConfiguration());
        return builder;
    }
}
