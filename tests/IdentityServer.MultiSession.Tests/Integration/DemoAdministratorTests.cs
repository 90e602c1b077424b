using IdentityServer.MultiSession.Tests.Infrastructure;
using IdpHost.Data;
using Microsoft.EntityFrameworkCore;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>
/// The sample's demo administrator has a password the README publishes: it exists in Development (or when a setting asks for
/// it), never on a deployed IdP by default.
/// </summary>
public sealed class DemoAdministratorTests
{
    [Fact]
    public async Task Outside_development_no_demo_administrator_is_seeded_and_nobody_is_in_the_admin_role()
    {
        using var production = new IdpFactory { EnvironmentName = "Production" };
        _ = production.Server;

        Assert.False(await production.WithDatabaseAsync(db => db.Users.AnyAsync(u => u.UserName == DemoUsers.Administrator.UserName)));
        Assert.Equal(0, await production.WithDatabaseAsync(db => db.UserRoles.CountAsync()));
        Assert.True(await production.WithDatabaseAsync(db => db.Users.AnyAsync(u => u.UserName == "alice")));
    }

    [Fact]
    public async Task A_setting_seeds_the_demo_administrator_outside_development_and_development_seeds_it_by_default()
    {
        using var production = new IdpFactory { EnvironmentName = "Production" };
        production.Settings["DemoUsers:SeedAdministrators"] = "true";
        _ = production.Server;
        Assert.True(await production.WithDatabaseAsync(db => db.Users.AnyAsync(u => u.UserName == DemoUsers.Administrator.UserName)));

        using var development = new IdpFactory();
        _ = development.Server;
        Assert.Equal(2, await development.WithDatabaseAsync(db => db.UserRoles.CountAsync()));
    }
}
