using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace IdentityServer.MultiSession.Storage;

/// <summary>EF Core mapping of <see cref="DeviceSessionEntity"/>: table <c>MultiSessionDeviceSessions</c>.</summary>
internal sealed class DeviceSessionEntityConfiguration : IEntityTypeConfiguration<DeviceSessionEntity>
{
    /// <inheritdoc />
    public void Configure(EntityTypeBuilder<DeviceSessionEntity> builder)
    {
        var time = new UnixTimeMillisecondsConverter();
        builder.ToTable("MultiSessionDeviceSessions");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Id).HasMaxLength(32).IsUnicode(false);
        builder.Property(s => s.DeviceId).HasMaxLength(32).IsUnicode(false).IsRequired();
        builder.Property(s => s.Handle).HasMaxLength(32).IsUnicode(false).IsRequired();
        builder.Property(s => s.UserId).HasMaxLength(450).IsRequired();
        builder.Property(s => s.UserName).HasMaxLength(256);
        builder.Property(s => s.DisplayName).HasMaxLength(256);
        builder.Property(s => s.Email).HasMaxLength(256);
        builder.Property(s => s.AuthenticationMethods).HasMaxLength(200).IsUnicode(false);
        builder.Property(s => s.Browser).HasMaxLength(64);
        builder.Property(s => s.OperatingSystem).HasMaxLength(64);
        builder.Property(s => s.IpAddress).HasMaxLength(64).IsUnicode(false);
        builder.Property(s => s.Ticket).IsRequired();
        builder.Property(s => s.SecurityStampHash).HasMaxLength(64).IsUnicode(false);
        builder.Property(s => s.AuthenticatedAt).HasConversion(time);
        builder.Property(s => s.CreatedAt).HasConversion(time);
        builder.Property(s => s.LastSeenAt).HasConversion(time);
        builder.Property(s => s.ExpiresAt).HasConversion(time);
        builder.Property(s => s.AbsoluteExpiresAt).HasConversion(time);
        builder.Property(s => s.LastValidatedAt).HasConversion(time);

        // The database, not a check in memory, holds the limit and "one session per user per device" (BEHAVIOUR.md §3.2, §3.3, §7).
        builder.HasIndex(s => new { s.DeviceId, s.Slot }).IsUnique();
        builder.HasIndex(s => new { s.DeviceId, s.UserId }).IsUnique();
        builder.HasIndex(s => new { s.DeviceId, s.Handle }).IsUnique();
        builder.HasIndex(s => s.UserId);
        builder.HasIndex(s => s.ExpiresAt);
    }
}
