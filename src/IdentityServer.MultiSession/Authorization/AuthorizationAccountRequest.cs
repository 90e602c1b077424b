namespace IdentityServer.MultiSession.Authorization;

/// <summary>
/// The parts of an OpenID Connect authorization request that decide which account is used (BEHAVIOUR.md §4), independent of the OIDC engine.
/// </summary>
public sealed class AuthorizationAccountRequest
{
    /// <summary>The local URL (path and query) of the authorization request, used as the return URL of the picker and login page.</summary>
    public required string ReturnUrl { get; init; }

    /// <summary>The <c>prompt</c> values.</summary>
    public IReadOnlySet<string> Prompt { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>The <c>max_age</c> parameter, in seconds.</summary>
    public long? MaxAge { get; init; }

    /// <summary>The <c>login_hint</c> parameter: an email address or user name.</summary>
    public string? LoginHint { get; init; }

    /// <summary>The <c>sub</c> of a validated <c>id_token_hint</c>.</summary>
    public string? IdTokenHintSubject { get; init; }

    /// <summary>The client making the request.</summary>
    public string? ClientId { get; init; }
}
