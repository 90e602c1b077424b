using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace IdentityServer.MultiSession.Storage;

/// <summary>EF Core mapping of <see cref="LogoutNotificationEntity"/>: table <c>MultiSessionLogoutNotifications</c>.</summary>
internal sealed class LogoutNotificationEntityConfiguration : IEntityTypeConfiguration<LogoutNotificationEntity>
{
    /// <inheritdoc />
    public void Configure(EntityTypeBuilder<LogoutNotificationEntity> builder)
    {
        var time = new UnixTimeMillisecondsConverter();
        builder.ToTable("MultiSessionLogoutNotifications");
        builder.HasKey(n => n.Id);
        builder.Property(n => n.Id).HasMaxLength(32).IsUnicode(false);
        builder.Property(n => n.SessionId).HasMaxLength(32).IsUnicode(false).IsRequired();
        builder.Property(n => n.Subject).HasMaxLength(450).IsRequired();
        builder.Property(n => n.ClientId).HasMaxLength(100).IsRequired();
        builder.Property(n => n.LeaseOwner).HasMaxLength(64).IsUnicode(false);
        builder.Property(n => n.LastError).HasMaxLength(500);
        builder.Property(n => n.NextAttemptAt).HasConversion(time);
        builder.Property(n => n.LeaseExpiresAt).HasConversion(time);
        builder.Property(n => n.CreatedAt).HasConversion(time);
        builder.Property(n => n.CompletedAt).HasConversion(time);

        // The sender looks for due rows of one status; the cleanup for completed ones.
        builder.HasIndex(n => new { n.Status, n.NextAttemptAt });
        builder.HasIndex(n => n.SessionId);
    }
}
