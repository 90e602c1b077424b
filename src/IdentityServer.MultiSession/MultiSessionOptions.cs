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
    /// How often a background refresher reads the figures of the observable gauges (the oldest pending logout notification)
    /// from the store; a metrics scrape answers with the last reading and never waits on the database. Default 5 seconds.
    /// </summary>
    public TimeSpan MetricsRefreshInterval { get; set; } = TimeSpan.FromSeconds(5);

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

    /// <summary>
    /// When <c>true</c>, an account the user signs out of on a browser (its own "Sign out" in the picker, the JSON API's revoke,
    /// an RP-initiated logout of that account alone) stays in that browser's picker as "Signed out", one click from the login
    /// form with the account filled in. Only its display name, its email (or user name) and the time are kept, with the
    /// browser's device, for <see cref="RememberedAccountLifetime"/>; "Remove" forgets one, "Sign out of all accounts" forgets
    /// them all, and signing the account in again removes its entry. Sessions ended by anything else (an administrator, a
    /// security-stamp change, expiry, eviction at the limit) are not remembered. Default <c>false</c>: browsers are shared.
    /// </summary>
    public bool RememberSignedOutAccounts { get; set; }

    /// <summary>
    /// How long an account signed out on a browser stays listed there when <see cref="RememberSignedOutAccounts"/> is on.
    /// Default 30 days; at most as long as the browser keeps its device cookie.
    /// </summary>
    public TimeSpan RememberedAccountLifetime { get; set; } = TimeSpan.FromDays(30);

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
    /// When <c>true</c>, a session records the network address it signed in from, truncated to a coarse location (IPv4 /24,
    /// IPv6 /48), shown in "Your devices" and to administrators. Default <c>false</c>: no address is stored.
    /// </summary>
    public bool RecordIpAddress { get; set; }

    /// <summary>
    /// The authorization policy that guards the administration pages and their JSON API. Default
    /// <see cref="MultiSessionDefaults.AdministrationPolicy"/>. The host defines it (for example a role); while it does not, the
    /// library registers one that refuses everybody.
    /// </summary>
    public string AdministrationPolicy { get; set; } = MultiSessionDefaults.AdministrationPolicy;

    /// <summary>
    /// Whether ordinary pages may authenticate from an in-process cache of the device lookup. Default
    /// <see cref="DeviceLookupCacheMode.Off"/> (every request reads the database). See the README, "Performance: the device lookup cache".
    /// </summary>
    public DeviceLookupCacheMode DeviceLookupCache { get; set; } = DeviceLookupCacheMode.Off;

    /// <summary>The most devices the lookup cache holds (least recently used dropped first). Default 10000, at least 1.</summary>
    public int DeviceLookupCacheSize { get; set; } = 10_000;

    /// <summary>
    /// On PostgreSQL, the longest the change channel may lag before the cache is set aside (every request reads the database until
    /// the channel is back and the cache is cleared): the bound on how late another instance's revocation can be seen on an
    /// ordinary page. Default 2 seconds; between 100 milliseconds and 1 minute.
    /// </summary>
    public TimeSpan DeviceLookupCacheMaxStaleness { get; set; } = TimeSpan.FromSeconds(2);

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

    /// <summary>
    /// The event hooks (sign-in, switch, re-authentication, revocation, sign-out of all, limit refused, logout notifications):
    /// set its <c>OnXxx</c> delegates in code. Ignored when <see cref="EventsType"/> is set.
    /// </summary>
    public Events.MultiSessionEvents Events { get; set; } = new();

    /// <summary>
    /// A <see cref="Events.MultiSessionEvents"/> subclass resolved from the request's (or background run's) services for every
    /// event, instead of <see cref="Events"/>; register it in the services (scoped or singleton), or it is created with its
    /// constructor's services.
    /// </summary>
    public Type? EventsType { get; set; }
}
