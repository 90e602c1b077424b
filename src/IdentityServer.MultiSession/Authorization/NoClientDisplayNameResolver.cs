using System.Globalization;

namespace IdentityServer.MultiSession.Authorization;

/// <summary>The resolver used without an OIDC engine integration: no client name is known.</summary>
internal sealed class NoClientDisplayNameResolver : IClientDisplayNameResolver
{
    public ValueTask<string?> GetDisplayNameAsync(string clientId, CultureInfo culture, CancellationToken cancellationToken) =>
        ValueTask.FromResult<string?>(null);
}
