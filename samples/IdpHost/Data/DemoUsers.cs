using Microsoft.AspNetCore.Identity;

namespace IdpHost.Data;

/// <summary>Seeds the demo users (BEHAVIOUR.md §9): six, so that the default limit of 5 can be tried.</summary>
public static class DemoUsers
{
    /// <summary>The password of every demo user, documented in the README.</summary>
    public const string Password = "Passw0rd!";

    /// <summary>The demo users: user name, display name.</summary>
    public static IReadOnlyList<(string UserName, string DisplayName)> All { get; } =
    [
        ("alice", "Alice Anderson"),
        ("bob", "Bob Brown"),
        ("carol", "Carol Clark"),
        ("dave", "Dave Davis"),
        ("erin", "Erin Evans"),
        ("frank", "Frank Fisher"),
    ];

    /// <summary>The role that the administration policy requires in the sample.</summary>
    public const string AdministratorRole = "admin";

    /// <summary>The demo administrator (same password), in the <see cref="AdministratorRole"/> role; not one of <see cref="All"/>.</summary>
    public static (string UserName, string DisplayName) Administrator { get; } = ("admin", "Ada Admin");

    /// <summary>
    /// The demo user who is also in the <see cref="AdministratorRole"/> role, so that the switch policy has a privileged account
    /// among the everyday demo users (README "Switch policy: privileged accounts sign in again").
    /// </summary>
    public const string PrivilegedDemoUser = "alice";

    /// <summary>
    /// Creates the demo users that do not exist yet, and the administrator role. With <paramref name="withAdministrators"/>
    /// (Development, or <c>DemoUsers:SeedAdministrators=true</c>) the demo administrator is created and it and
    /// <see cref="PrivilegedDemoUser"/> are put in the role: a published password must never open the administration
    /// pages of a deployed IdP.
    /// </summary>
    public static async Task SeedAsync(IServiceProvider services, bool withAdministrators)
    {
        await using var scope = services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
        if (!await roles.RoleExistsAsync(AdministratorRole))
        {
            var created = await roles.CreateAsync(new IdentityRole(AdministratorRole));
            if (!created.Succeeded)
            {
                throw new InvalidOperationException($"Seeding the role '{AdministratorRole}' failed: {string.Join("; ", created.Errors.Select(e => e.Description))}");
            }
        }

        foreach (var (userName, displayName) in withAdministrators ? All.Append(Administrator) : All)
        {
            if (await users.FindByNameAsync(userName) is not null)
            {
                continue;
            }

            var user = new ApplicationUser
            {
                UserName = userName,
                Email = $"{userName}@example.com",
                EmailConfirmed = true,
                DisplayName = displayName,
            };
            var result = await users.CreateAsync(user, Password);
            if (!result.Succeeded)
            {
                throw new InvalidOperationException($"Seeding demo user '{userName}' failed: {string.Join("; ", result.Errors.Select(e => e.Description))}");
            }

            if (withAdministrators && (userName == Administrator.UserName || userName == PrivilegedDemoUser))
            {
                await users.AddToRoleAsync(user, AdministratorRole);
            }
        }
    }
}
