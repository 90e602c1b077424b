namespace ClientApp;

/// <summary>The <c>Oidc</c> configuration section: where the IdP is and who this client is.</summary>
public sealed class OidcSettings
{
    /// <summary>The IdP's issuer URL (default <c>http://localhost:5000</c>, the IdpHost sample).</summary>
    public string Authority { get; init; } = "http://localhost:5000";

    /// <summary>The client id registered at the IdP (default <c>demo-client</c>).</summary>
    public string ClientId { get; init; } = "demo-client";

    /// <summary>The client secret, for a confidential client; none for the public <c>demo-client</c>.</summary>
    public string? ClientSecret { get; init; }

    /// <summary>Whether the IdP's metadata must be served over HTTPS; false only for a plain-HTTP IdP in Development.</summary>
    public bool RequireHttpsMetadata { get; init; } = true;

    /// <summary>Reads and checks the section; a bad value stops the client with a message that names the setting.</summary>
    public static OidcSettings Read(IConfiguration configuration, IHostEnvironment environment)
    {
        var section = configuration.GetSection("Oidc");
        var settings = section.Get<OidcSettings>() ?? new OidcSettings();
        if (!Uri.TryCreate(settings.Authority, UriKind.Absolute, out var authority) ||
            (authority.Scheme != Uri.UriSchemeHttps && authority.Scheme != Uri.UriSchemeHttp))
        {
            throw new InvalidOperationException($"Oidc:Authority must be an absolute http(s) URL (was '{settings.Authority}').");
        }

        if (string.IsNullOrWhiteSpace(settings.ClientId))
        {
            throw new InvalidOperationException("Oidc:ClientId is required.");
        }

        if (authority.Scheme == Uri.UriSchemeHttp && settings.RequireHttpsMetadata)
        {
            throw new InvalidOperationException(
                $"Oidc:Authority '{settings.Authority}' is plain HTTP: use HTTPS, or set Oidc:RequireHttpsMetadata to false (Development only).");
        }

        if (!settings.RequireHttpsMetadata && !environment.IsDevelopment())
        {
            throw new InvalidOperationException("Oidc:RequireHttpsMetadata can be false only in Development.");
        }

        return settings;
    }
}
