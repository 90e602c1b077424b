using System.Text.RegularExpressions;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdpHost.Oidc;

/// <summary>
/// Registers the APIs of the <c>Apis</c> configuration section at start-up: each scope as an OpenIddict scope whose resource is
/// the API (so access tokens requested with that scope carry the API's name in <c>aud</c>), and each API that has a secret as a
/// confidential client allowed to introspect tokens.
/// </summary>
public static partial class ApiRegistrar
{
    /// <summary>Reads and validates the <c>Apis</c> section; a bad entry stops the host with a message naming the setting.</summary>
    public static IReadOnlyList<ApiDefinition> Read(IConfiguration configuration)
    {
        var apis = new List<ApiDefinition>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var scopes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var section in configuration.GetSection("Apis").GetChildren())
        {
            var api = section.Get<ApiDefinition>() ?? new ApiDefinition();
            var name = $"Apis:{section.Key}";
            if (string.IsNullOrWhiteSpace(api.Name) || !Token().IsMatch(api.Name))
            {
                throw new InvalidOperationException($"{name}:Name is required: letters, digits, '-', '_', '.' or ':' (was '{api.Name}').");
            }

            if (!names.Add(api.Name))
            {
                throw new InvalidOperationException($"{name}:Name '{api.Name}' is registered twice.");
            }

            if (api.Scopes.Count == 0)
            {
                throw new InvalidOperationException($"{name}:Scopes needs at least one scope.");
            }

            for (var i = 0; i < api.Scopes.Count; i++)
            {
                if (!Token().IsMatch(api.Scopes[i]) || IsStandardScope(api.Scopes[i]) || !scopes.Add(api.Scopes[i]))
                {
                    throw new InvalidOperationException($"{name}:Scopes:{i} '{api.Scopes[i]}' must be a new scope name, not a standard OpenID Connect scope nor another API's.");
                }
            }

            if (api.Secret is { Length: > 0 and < 16 })
            {
                throw new InvalidOperationException($"{name}:Secret must be at least 16 characters long.");
            }

            apis.Add(api);
        }

        return apis;
    }

    /// <summary>Creates or updates each API's scopes and, when it has a secret, its introspection client.</summary>
    public static async Task RegisterAsync(IServiceProvider services, IReadOnlyList<ApiDefinition> apis)
    {
        await using var scope = services.CreateAsyncScope();
        var scopeManager = scope.ServiceProvider.GetRequiredService<IOpenIddictScopeManager>();
        var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        foreach (var api in apis)
        {
            foreach (var scopeName in api.Scopes)
            {
                var descriptor = new OpenIddictScopeDescriptor { Name = scopeName, DisplayName = api.DisplayName ?? api.Name, Resources = { api.Name! } };
                if (await scopeManager.FindByNameAsync(scopeName) is { } existing)
                {
                    await scopeManager.UpdateAsync(existing, descriptor);
                }
                else
                {
                    await scopeManager.CreateAsync(descriptor);
                }
            }

            if (string.IsNullOrEmpty(api.Secret))
            {
                continue;
            }

            var client = new OpenIddictApplicationDescriptor
            {
                ClientId = api.Name,
                ClientSecret = api.Secret,
                ClientType = ClientTypes.Confidential,
                DisplayName = api.DisplayName ?? api.Name,
                Permissions = { Permissions.Endpoints.Introspection },
            };
            if (await applications.FindByClientIdAsync(api.Name!) is { } application)
            {
                await applications.UpdateAsync(application, client);
            }
            else
            {
                await applications.CreateAsync(client);
            }
        }
    }

    private static bool IsStandardScope(string scope) =>
        scope is Scopes.OpenId or Scopes.Profile or Scopes.Email or Scopes.Roles or Scopes.OfflineAccess or Scopes.Address or Scopes.Phone;

    [GeneratedRegex("^[A-Za-z0-9._:-]+$")]
    private static partial Regex Token();
}
