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

    /// <summary>The demo user in the <c>admin</c> role (a privileged account of the switch policy).</summary>
    public const string Administrator = "alice";

    /// <summary>Creates the demo users that do not exist yet, and the <c>admin</c> role with <see cref="Administrator"/> in it.</summary>
    public static async Task SeedAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
        if (!await roles.RoleExistsAsync(Identity.PrivilegedAccountRequirement.AdminRole))
        {
            await roles.CreateAsync(new IdentityRole(Identity.PrivilegedAccountRequirement.AdminRole));
        }

        foreach (var (userName, displayName) in All)
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

            if (userName == Administrator)
            {
                await users.AddToRoleAsync(user, Identity.PrivilegedAccountRequirement.AdminRole);
            }
        }
    }
}
