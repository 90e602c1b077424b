using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace IdentityServer.MultiSession.Storage;

/// <summary>EF Core mapping of <see cref="DeviceEntity"/>: table <c>MultiSessionDevices</c>.</summary>
internal sealed class DeviceEntityConfiguration : IEntityTypeConfiguration<DeviceEntity>
{
    /// <inheritdoc />
    public void Configure(EntityTypeBuilder<DeviceEntity> builder)
    {
        var time = new UnixTimeMillisecondsConverter();
        builder.ToTable("MultiSessionDevices");
        builder.HasKey(d => d.Id);
        builder.Property(d => d.Id).HasMaxLength(32).IsUnicode(false);
        builder.Property(d => d.SecretHash).HasMaxLength(64).IsUnicode(false).IsRequired();
        builder.HasIndex(d => d.SecretHash).IsUnique();
        builder.Property(d => d.PreviousSecretHash).HasMaxLength(64).IsUnicode(false);
        builder.HasIndex(d => d.PreviousSecretHash);
        builder.Property(d => d.SecretRotatedAt).HasConversion(time);
        builder.Property(d => d.ActiveSessionId).HasMaxLength(32).IsUnicode(false);
        builder.Property(d => d.CreatedAt).HasConversion(time);
        builder.Property(d => d.LastSeenAt).HasConversion(time);
        builder.HasMany(d => d.Sessions)
            .WithOne(s => s.Device)
            .HasForeignKey(s => s.DeviceId)
            .OnDelete(DeleteBehavior.Cascade);
    }
}
