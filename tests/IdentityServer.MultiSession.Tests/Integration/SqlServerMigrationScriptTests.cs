using IdpHost.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>
/// No SQL Server runs on these machines: the SQL Server migrations are proven by the script they generate, which must create
/// the session tables with the indexes that make authentication a lookup and the constraints that hold the limit.
/// </summary>
public sealed class SqlServerMigrationScriptTests
{
    private static readonly Lazy<string> Script = new(() =>
    {
        using var db = new SqlServerDesignTimeFactory().CreateDbContext([]);
        return db.GetService<IMigrator>().GenerateScript(options: MigrationsSqlGenerationOptions.Idempotent);
    });

    [Theory]
    [InlineData("CREATE TABLE [MultiSessionDevices]")]
    [InlineData("CREATE TABLE [MultiSessionDeviceSessions]")]
    [InlineData("CREATE UNIQUE INDEX [IX_MultiSessionDevices_SecretHash] ON [MultiSessionDevices] ([SecretHash])")]
    [InlineData("CREATE UNIQUE INDEX [IX_MultiSessionDeviceSessions_DeviceId_Slot] ON [MultiSessionDeviceSessions] ([DeviceId], [Slot])")]
    [InlineData("CREATE UNIQUE INDEX [IX_MultiSessionDeviceSessions_DeviceId_UserId] ON [MultiSessionDeviceSessions] ([DeviceId], [UserId])")]
    [InlineData("CREATE UNIQUE INDEX [IX_MultiSessionDeviceSessions_DeviceId_Handle] ON [MultiSessionDeviceSessions] ([DeviceId], [Handle])")]
    [InlineData("CREATE INDEX [IX_MultiSessionDeviceSessions_ExpiresAt] ON [MultiSessionDeviceSessions] ([ExpiresAt])")]
    [InlineData("CREATE INDEX [IX_MultiSessionDeviceSessions_UserId] ON [MultiSessionDeviceSessions] ([UserId])")]
    [InlineData("CONSTRAINT [FK_MultiSessionDeviceSessions_MultiSessionDevices_DeviceId] FOREIGN KEY ([DeviceId]) REFERENCES [MultiSessionDevices] ([Id]) ON DELETE CASCADE")]
    [InlineData("CREATE TABLE [DataProtectionKeys]")]
    [InlineData("CREATE TABLE [OpenIddictTokens]")]
    [InlineData("CREATE TABLE [AspNetUsers]")]
    public void The_sql_server_migration_script_creates_the_tables_indexes_and_constraints(string expected)
    {
        Assert.Contains(expected, Script.Value, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_provider_has_its_migrations_and_no_pending_model_change()
    {
        using var sqlite = new SqliteDesignTimeFactory().CreateDbContext([]);
        using var sqlServer = new SqlServerDesignTimeFactory().CreateDbContext([]);
        using var postgres = new PostgreSqlDesignTimeFactory().CreateDbContext([]);
        foreach (DbContext db in new DbContext[] { sqlite, sqlServer, postgres })
        {
            Assert.NotEmpty(db.Database.GetMigrations());
            Assert.False(db.Database.HasPendingModelChanges(), $"{db.GetType().Name} has model changes without a migration.");
        }
    }
}
