using Microsoft.AspNetCore.Identity;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace PackageConsumer;

/// <summary>The demo's data: a fresh database, alice and bob, and one public client with PKCE (from configuration).</summary>
public static class Seed
{
    public static async Task RunAsync(IServiceProvider services, IConfiguration configuration)
    {
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<AppDbContext>().Database.EnsureCreatedAsync();

        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        foreach (var name in new[] { "alice", "bob" })
        {
            if (await users.FindByNameAsync(name) is null)
            {
                var result = await users.CreateAsync(new IdentityUser { UserName = name, Email = $"{name}@example.com", EmailConfirmed = true }, "Passw0rd!");
                if (!result.Succeeded)
                {
                    throw new InvalidOperationException(string.Join(" ", result.Errors.Select(e => e.Description)));
                }
            }
        }

        var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        var clientId = configuration["Client:ClientId"] ?? "consumer-client";
        if (await applications.FindByClientIdAsync(clientId) is null)
        {
            var client = new OpenIddictApplicationDescriptor
            {
                ClientId = clientId,
                ClientType = ClientTypes.Public,
                Permissions =
                {
                    Permissions.Endpoints.Authorization, Permissions.Endpoints.Token, Permissions.Endpoints.EndSession,
                    Permissions.GrantTypes.AuthorizationCode, Permissions.ResponseTypes.Code,
                    Permissions.Scopes.Profile, Permissions.Scopes.Email,
                },
                Requirements = { Requirements.Features.ProofKeyForCodeExchange },
            };
            client.RedirectUris.Add(new Uri(configuration["Client:RedirectUri"] ?? "http://127.0.0.1:9/callback"));
            await applications.CreateAsync(client);
        }
    }
}
