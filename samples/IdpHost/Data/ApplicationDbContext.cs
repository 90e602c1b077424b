using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace IdpHost.Data;

/// <summary>
/// The IdP's database: ASP.NET Core Identity, OpenIddict, the multi-session tables and the data-protection key ring (shared by
/// every IdP instance). Each database provider has a subclass of its own, so that each keeps its own EF Core migrations.
/// </summary>
public abstract class ApplicationDbContext : IdentityDbContext<ApplicationUser>, IDataProtectionKeyContext
{
    /// <summary>Creates the context.</summary>
    protected ApplicationDbContext(DbContextOptions options)
        : base(options)
    {
    }

    /// <summary>The ASP.NET Core data-protection keys (antiforgery, the picker's account selection, Identity tokens).</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder builder)
    {
        // Identity's model is the schema version that IdentityOptions.Stores.SchemaVersion names in the application's services:
        // version 3 (with the passkey table, AspNetUserPasskeys), set in Program.cs and by the design-time factories.
        base.OnModelCreating(builder);
        builder.UseOpenIddict();
        builder.UseMultiSession();
        builder.Entity<ApplicationUser>().Property(u => u.DisplayName).HasMaxLength(256);
    }
}

/// <summary>The SQLite database (the default).</summary>
public sealed class SqliteApplicationDbContext(DbContextOptions<SqliteApplicationDbContext> options) : ApplicationDbContext(options);

/// <summary>The SQL Server database.</summary>
public sealed class SqlServerApplicationDbContext(DbContextOptions<SqlServerApplicationDbContext> options) : ApplicationDbContext(options);

/// <summary>The PostgreSQL database.</summary>
public sealed class PostgreSqlApplicationDbContext(DbContextOptions<PostgreSqlApplicationDbContext> options) : ApplicationDbContext(options);
