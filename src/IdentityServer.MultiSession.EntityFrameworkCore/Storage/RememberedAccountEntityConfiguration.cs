using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace IdentityServer.MultiSession.Storage;

/// <summary>EF Core mapping of <see cref="RememberedAccountEntity"/>: table <c>MultiSessionRememberedAccounts</c>.</summary>
internal sealed class RememberedAccountEntityConfiguration : IEntityTypeConfiguration<RememberedAccountEntity>
{
    /// <inheritdoc />
    public void Configure(EntityTypeBuilder<RememberedAccountEntity> builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.ToTable("MultiSessionRememberedAccounts");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Id).HasMaxLength(32).IsUnicode(false);
        builder.Property(r => r.DeviceId).HasMaxLength(32).IsUnicode(false).IsRequired();
        builder.Property(r => r.DisplayName).HasMaxLength(256).IsRequired();
        builder.Property(r => r.LoginName).HasMaxLength(256).IsRequired();
        builder.Property(r => r.SignedOutAt).HasConversion(new UnixTimeMillisecondsConverter());

        // One entry per account and device; the cleanup finds expired entries by time.
        builder.HasIndex(r => new { r.DeviceId, r.LoginName }).IsUnique();
        builder.HasIndex(r => r.SignedOutAt);
        builder.HasOne<DeviceEntity>()
            .WithMany()
            .HasForeignKey(r => r.DeviceId)
            .OnDelete(DeleteBehavior.Cascade);
    }
}
