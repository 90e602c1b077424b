using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace IdentityServer.MultiSession.Storage;

/// <summary>EF Core mapping of <see cref="DeviceSessionClientEntity"/>: table <c>MultiSessionDeviceSessionClients</c>.</summary>
internal sealed class DeviceSessionClientEntityConfiguration : IEntityTypeConfiguration<DeviceSessionClientEntity>
{
    /// <inheritdoc />
    public void Configure(EntityTypeBuilder<DeviceSessionClientEntity> builder)
    {
        builder.ToTable("MultiSessionDeviceSessionClients");
        builder.HasKey(c => new { c.SessionId, c.ClientId });
        builder.Property(c => c.SessionId).HasMaxLength(32).IsUnicode(false);
        builder.Property(c => c.ClientId).HasMaxLength(100);
        builder.HasOne(c => c.Session).WithMany().HasForeignKey(c => c.SessionId).OnDelete(DeleteBehavior.Cascade);
    }
}
