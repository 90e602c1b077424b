namespace IdpHost.Oidc;

/// <summary>
/// One API (resource server) from the <c>Apis</c> configuration section: its name is the <c>aud</c> of access tokens issued
/// for its scopes; with a secret it is also registered as a confidential client that may call the introspection endpoint.
/// </summary>
public sealed class ApiDefinition
{
    /// <summary>The API's name: the audience of its access tokens, and its client id at the introspection endpoint (required).</summary>
    public string? Name { get; set; }

    /// <summary>The name shown to users.</summary>
    public string? DisplayName { get; set; }

    /// <summary>The scopes that request access to this API (at least one).</summary>
    public List<string> Scopes { get; set; } = [];

    /// <summary>The API's secret for the introspection endpoint; without one the API cannot introspect tokens.</summary>
    public string? Secret { get; set; }

    /// <summary>
    /// When <c>true</c>, the API's scopes are allowed only to the clients that list them in their <c>Scopes</c> (the
    /// administration scope); otherwise every client may request them.
    /// </summary>
    public bool Restricted { get; set; }
}
