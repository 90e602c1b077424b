namespace IdentityServer.MultiSession;

/// <summary>
/// Default names used by the multi-session extension: configuration section, cookie names, paths and claim types.
/// </summary>
public static class MultiSessionDefaults
{
    /// <summary>The configuration section bound to <see cref="MultiSessionOptions"/>: <c>MultiSession</c>.</summary>
    public const string ConfigurationSection = "MultiSession";

    /// <summary>The device cookie name used in Development (plain HTTP allowed).</summary>
    public const string DevelopmentDeviceCookieName = ".MultiSession.Device";

    /// <summary>The device cookie name used outside Development; the <c>__Host-</c> prefix pins it to the IdP's origin over HTTPS.</summary>
    public const string SecureDeviceCookieName = "__Host-MultiSession.Device";

    /// <summary>The path prefix of the JSON API (BEHAVIOUR.md §6): <c>/multi-session</c>.</summary>
    public const string ApiPathPrefix = "/multi-session";

    /// <summary>The Razor area that holds the account picker pages.</summary>
    public const string AreaName = "MultiSession";

    /// <summary>The path of the account picker page.</summary>
    public const string PickerPath = "/MultiSession/Accounts";

    /// <summary>The path of the "Your devices" page: the active account's sessions on every device.</summary>
    public const string DevicesPath = "/MultiSession/Devices";

    /// <summary>The path of the administration pages.</summary>
    public const string AdministrationPath = "/MultiSession/Admin";

    /// <summary>The path prefix of the administration JSON API, for scripts: <c>/multi-session/admin/api</c>.</summary>
    public const string AdministrationApiPathPrefix = "/multi-session/admin/api";

    /// <summary>The default name of the authorization policy that guards the administration pages and API: <c>MultiSessionAdmin</c>.</summary>
    public const string AdministrationPolicy = "MultiSessionAdmin";

    /// <summary>The query parameter that carries a one-shot account selection back to the authorization endpoint.</summary>
    public const string SelectionParameter = "ms_selection";

    /// <summary>The claim type that carries the device session id (the OIDC <c>sid</c>).</summary>
    public const string SessionIdClaimType = "sid";

    /// <summary>The claim type that carries the authentication time, in seconds since the Unix epoch.</summary>
    public const string AuthenticationTimeClaimType = "auth_time";

    /// <summary>
    /// The claim type of the authentication methods (RFC 8176 <c>amr</c> values, one claim per method) on the principal that
    /// signs in; they are recorded with the device session and go into its ID tokens.
    /// </summary>
    public const string AuthenticationMethodsClaimType = "amr";

    /// <summary>
    /// The default name of the authorization policy that names the accounts of the switch policy
    /// (<see cref="MultiSessionOptions.ReauthenticateAfter"/>): <c>MultiSessionPrivileged</c>. The host defines it.
    /// </summary>
    public const string ReauthenticationPolicy = "MultiSessionPrivileged";

    /// <summary>The query parameter the login page reads to pre-fill the user name.</summary>
    public const string LoginHintParameter = "login_hint";
}
