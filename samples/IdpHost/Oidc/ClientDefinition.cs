namespace IdpHost.Oidc;

/// <summary>One OIDC client from the <c>Clients</c> configuration section (SPEC §8).</summary>
public sealed class ClientDefinition
{
    /// <summary>The client id (required).</summary>
    public string? ClientId { get; set; }

    /// <summary>The client secret; without one the client is public and must use PKCE.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>The name shown to users.</summary>
    public string? DisplayName { get; set; }

    /// <summary>The redirect URIs (at least one).</summary>
    public List<string> RedirectUris { get; set; } = [];

    /// <summary>The post-logout redirect URIs.</summary>
    public List<string> PostLogoutRedirectUris { get; set; } = [];
}
