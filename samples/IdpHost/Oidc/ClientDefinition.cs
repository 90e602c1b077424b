namespace IdpHost.Oidc;

/// <summary>One OIDC client from the <c>Clients</c> configuration section (BEHAVIOUR.md §8).</summary>
public sealed class ClientDefinition
{
    /// <summary>The client id (required).</summary>
    public string? ClientId { get; set; }

    /// <summary>The client secret; without one the client is public and must use PKCE.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>The name shown to users.</summary>
    public string? DisplayName { get; set; }

    /// <summary>
    /// The grant types: <c>authorization_code</c> and <c>refresh_token</c> (the default when empty), and/or
    /// <c>client_credentials</c> (a confidential client acting for itself, such as an administration script).
    /// </summary>
    public List<string> GrantTypes { get; set; } = [];

    /// <summary>Scopes of restricted APIs this client may request, such as <c>multisession_admin</c>.</summary>
    public List<string> Scopes { get; set; } = [];

    /// <summary>The redirect URIs (at least one for the authorization code grant).</summary>
    public List<string> RedirectUris { get; set; } = [];

    /// <summary>The post-logout redirect URIs.</summary>
    public List<string> PostLogoutRedirectUris { get; set; } = [];

    /// <summary>Where the IdP POSTs a logout token when a session through which this client got tokens ends (back-channel logout).</summary>
    public string? BackChannelLogoutUri { get; set; }

    /// <summary>Whether the client requires the <c>sid</c> in logout tokens (it is always sent).</summary>
    public bool BackChannelLogoutSessionRequired { get; set; } = true;

    /// <summary>A page of the client loaded in a hidden frame of the IdP's sign-out confirmation (front-channel logout).</summary>
    public string? FrontChannelLogoutUri { get; set; }

    /// <summary>Whether <c>iss</c> and <c>sid</c> are added to the front-channel logout URI.</summary>
    public bool FrontChannelLogoutSessionRequired { get; set; } = true;
}
