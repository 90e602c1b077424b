using Microsoft.AspNetCore.Http;

namespace IdentityServer.MultiSession;

/// <summary>
/// Options of the multi-session extension, bound from the <c>MultiSession</c> configuration section (BEHAVIOUR.md §8).
/// </summary>
public sealed class MultiSessionOptions
{
    /// <summary>The most accounts one device (browser) may hold signed in at once. Default 5, at least 1.</summary>
    public int MaximumSessions { get; set; } = 5;

    /// <summary>What a sign-in beyond <see cref="MaximumSessions"/> does. Default <see cref="LimitReachedBehavior.Reject"/>.</summary>
    public LimitReachedBehavior OnLimitReached { get; set; } = LimitReachedBehavior.Reject;

    /// <summary>How long a device session lives after it was last used. Default 14 days.</summary>
    public TimeSpan SlidingExpiration { get; set; } = TimeSpan.FromDays(14);

    /// <summary>How long a device session lives after sign-in, however often it is used. Default none.</summary>
    public TimeSpan? AbsoluteExpiration { get; set; }

    /// <summary>How often the background cleanup removes expired sessions. Default 1 hour.</summary>
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How many expired sessions the cleanup removes per database command. Default 500.</summary>
    public int CleanupBatchSize { get; set; } = 500;

    /// <summary>
    /// The device cookie name. Default <see cref="MultiSessionDefaults.SecureDeviceCookieName"/> outside Development and
    /// <see cref="MultiSessionDefaults.DevelopmentDeviceCookieName"/> in Development.
    /// </summary>
    public string? CookieName { get; set; }

    /// <summary>
    /// When the device cookie is marked Secure. Default <see cref="CookieSecurePolicy.Always"/> outside Development and
    /// <see cref="CookieSecurePolicy.SameAsRequest"/> in Development.
    /// </summary>
    public CookieSecurePolicy? CookieSecurePolicy { get; set; }

    /// <summary>
    /// The least time between two writes of a session's last-seen time, so that ordinary requests do not write. Default 1 minute.
    /// </summary>
    public TimeSpan LastSeenUpdateInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How often a session's security stamp is checked against the user store. Default: ASP.NET Core Identity's
    /// <c>SecurityStampValidatorOptions.ValidationInterval</c> (30 minutes). <see cref="TimeSpan.Zero"/> checks on every request.
    /// </summary>
    public TimeSpan? SecurityStampValidationInterval { get; set; }

    /// <summary>Which accounts the end-session endpoint signs out. Default <see cref="EndSessionScope.AllAccounts"/>.</summary>
    public EndSessionScope EndSessionScope { get; set; } = EndSessionScope.AllAccounts;

    /// <summary>How long a one-shot account selection (picker choice or sign-in) stays valid for its authorization request. Default 30 minutes.</summary>
    public TimeSpan SelectionLifetime { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>The login page. Default: the Identity application cookie's <c>LoginPath</c>.</summary>
    public PathString? LoginPath { get; set; }

    /// <summary>The access-denied page. Default: the Identity application cookie's <c>AccessDeniedPath</c>.</summary>
    public PathString? AccessDeniedPath { get; set; }

    /// <summary>The query parameter that carries the return URL to the login page. Default: the Identity application cookie's, <c>ReturnUrl</c>.</summary>
    public string? ReturnUrlParameter { get; set; }

    /// <summary>The account picker page. Default <see cref="MultiSessionDefaults.PickerPath"/>.</summary>
    public PathString PickerPath { get; set; } = MultiSessionDefaults.PickerPath;

    /// <summary>Where the picker and sign-out go when no valid return URL is given. Default <c>/</c>.</summary>
    public PathString HomePath { get; set; } = "/";

    /// <summary>
    /// Paths of the IdP, besides local pages, that a return URL may name with a query string: the authorization endpoint.
    /// The OpenIddict integration adds the server's authorization endpoint. Default empty.
    /// </summary>
    public IList<PathString> AuthorizationEndpointPaths { get; } = new List<PathString>();

    /// <summary>The claim holding the user id. Default: Identity's <c>ClaimsIdentity.UserIdClaimType</c>.</summary>
    public string? UserIdClaimType { get; set; }

    /// <summary>The claim holding the user name. Default: Identity's <c>ClaimsIdentity.UserNameClaimType</c>.</summary>
    public string? UserNameClaimType { get; set; }

    /// <summary>The claim holding the email address. Default: Identity's <c>ClaimsIdentity.EmailClaimType</c>.</summary>
    public string? EmailClaimType { get; set; }

    /// <summary>The claim holding the display name shown in the picker. Default <c>name</c>; the user name when absent.</summary>
    public string DisplayNameClaimType { get; set; } = "name";

    /// <summary>
    /// The switch policy (privilege separation between the accounts of one browser): an account that
    /// <see cref="ReauthenticationPolicy"/> names, and whose last full authentication is older than this, must authenticate
    /// again (with the methods of that last sign-in) before it is switched to, picked, or used through a <c>login_hint</c> or
    /// <c>id_token_hint</c>. Default <c>null</c>: off, every account switches freely. <see cref="TimeSpan.Zero"/> asks such
    /// accounts to authenticate again on every switch.
    /// </summary>
    public TimeSpan? ReauthenticateAfter { get; set; }

    /// <summary>
    /// The name of the ASP.NET Core authorization policy that names the accounts <see cref="ReauthenticateAfter"/> applies to,
    /// evaluated against each account's stored principal. The host defines the policy (for example an administrator role).
    /// Default <see cref="MultiSessionDefaults.ReauthenticationPolicy"/>. When the host has not defined it, every account counts
    /// as named (the safe side) and a warning is logged.
    /// </summary>
    public string ReauthenticationPolicy { get; set; } = MultiSessionDefaults.ReauthenticationPolicy;

    /// <summary>Delivery of back-channel logout notifications to relying parties when a session ends.</summary>
    public BackChannelLogoutOptions BackChannelLogout { get; set; } = new();
}
