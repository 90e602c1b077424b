namespace IdentityServer.MultiSession.Authorization;

/// <summary>OpenID Connect error codes returned by the account decision (OpenID Connect Core 1.0, §3.1.2.6).</summary>
internal static class AuthorizationErrors
{
    /// <summary>The user must sign in, but <c>prompt=none</c> forbids showing a page.</summary>
    public const string LoginRequired = "login_required";

    /// <summary>The request is malformed, for example its <c>id_token_hint</c> is not a valid ID token of this IdP.</summary>
    public const string InvalidRequest = "invalid_request";

    /// <summary>The user must choose an account, but <c>prompt=none</c> forbids showing a page.</summary>
    public const string AccountSelectionRequired = "account_selection_required";
}
