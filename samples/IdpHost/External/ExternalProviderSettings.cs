namespace IdpHost.External;

/// <summary>
/// One external OpenID Connect provider from configuration (<c>ExternalProviders:Oidc</c>): the provider is registered only
/// when <see cref="Authority"/> and <see cref="ClientId"/> are set.
/// </summary>
public sealed class ExternalProviderSettings
{
    /// <summary>The provider's issuer URL; its discovery document is read from <c>{Authority}/.well-known/openid-configuration</c>.</summary>
    public string? Authority { get; set; }

    /// <summary>This IdP's client id at the provider.</summary>
    public string? ClientId { get; set; }

    /// <summary>This IdP's client secret at the provider (none for a public client, which then relies on PKCE alone).</summary>
    public string? ClientSecret { get; set; }

    /// <summary>The provider's name on the login page's button ("Sign in with …"); the scheme name when empty.</summary>
    public string? DisplayName { get; set; }

    /// <summary>
    /// Whether the authority must be an HTTPS URL. Default: <c>true</c> outside Development; a plain <c>http://</c> loopback
    /// provider is accepted in Development only.
    /// </summary>
    public bool? RequireHttpsMetadata { get; set; }
}
