using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace IdentityServer.MultiSession;

/// <summary>
/// Derives the defaults of <see cref="MultiSessionOptions"/> that depend on the environment and on ASP.NET Core Identity:
/// cookie name and Secure policy, login paths and claim types.
/// </summary>
internal sealed class MultiSessionPostConfigureOptions(
    IHostEnvironment environment,
    IOptions<IdentityOptions> identityOptions,
    IOptionsMonitor<CookieAuthenticationOptions> cookieOptions,
    IOptions<SecurityStampValidatorOptions> stampOptions) : IPostConfigureOptions<MultiSessionOptions>
{
    public void PostConfigure(string? name, MultiSessionOptions options)
    {
        var development = environment.IsDevelopment();
        options.CookieSecurePolicy ??= development ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
        options.CookieName ??= options.CookieSecurePolicy == CookieSecurePolicy.Always
            ? MultiSessionDefaults.SecureDeviceCookieName
            : MultiSessionDefaults.DevelopmentDeviceCookieName;

        // The Identity application cookie's options still carry the host's ConfigureApplicationCookie settings,
        // even though its handler is replaced by the multi-session handler.
        var cookie = cookieOptions.Get(IdentityConstants.ApplicationScheme);
        options.LoginPath ??= cookie.LoginPath.HasValue ? cookie.LoginPath : new PathString("/Account/Login");
        options.AccessDeniedPath ??= cookie.AccessDeniedPath.HasValue ? cookie.AccessDeniedPath : new PathString("/Account/AccessDenied");
        options.ReturnUrlParameter ??= string.IsNullOrEmpty(cookie.ReturnUrlParameter) ? "ReturnUrl" : cookie.ReturnUrlParameter;

        var claims = identityOptions.Value.ClaimsIdentity;
        options.UserIdClaimType ??= claims.UserIdClaimType;
        options.UserNameClaimType ??= claims.UserNameClaimType;
        options.EmailClaimType ??= claims.EmailClaimType;
        options.SecurityStampValidationInterval ??= stampOptions.Value.ValidationInterval;
    }
}
