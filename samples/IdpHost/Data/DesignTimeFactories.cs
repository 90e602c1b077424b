using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace IdpHost.Data;

/// <summary>Lets <c>dotnet ef</c> build the SQLite context without starting the host.</summary>
public sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteApplicationDbContext>
{
    /// <inheritdoc />
    public SqliteApplicationDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteApplicationDbContext>().UseSqlite(DatabaseSetup.DefaultSqliteConnection).UseOpenIddict().UseApplicationServiceProvider(DesignTimeServices.Identity).Options);
}

/// <summary>Lets <c>dotnet ef</c> build the SQL Server context without a server.</summary>
public sealed class SqlServerDesignTimeFactory : IDesignTimeDbContextFactory<SqlServerApplicationDbContext>
{
    /// <inheritdoc />
    public SqlServerApplicationDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqlServerApplicationDbContext>().UseSqlServer("Server=(design-time);Database=IdpHost").UseOpenIddict().UseApplicationServiceProvider(DesignTimeServices.Identity).Options);
}

/// <summary>Lets <c>dotnet ef</c> build the PostgreSQL context without a server.</summary>
public sealed class PostgreSqlDesignTimeFactory : IDesignTimeDbContextFactory<PostgreSqlApplicationDbContext>
{
    /// <inheritdoc />
    public PostgreSqlApplicationDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgreSqlApplicationDbContext>().UseNpgsql("Host=design-time;Database=idphost").UseOpenIddict().UseApplicationServiceProvider(DesignTimeServices.Identity).Options);
}

/// <summary>
/// The application services a design-time context sees: Identity's options with the schema version the host uses (version 3,
/// with passkeys), which Identity's model reads from the application's services.
/// </summary>
internal static class DesignTimeServices
{
    /// <summary>The services.</summary>
    public static readonly IServiceProvider Identity = new ServiceCollection()
        .Configure<IdentityOptions>(options => options.Stores.SchemaVersion = IdentitySchemaVersions.Version3)
        .BuildServiceProvider();
}
