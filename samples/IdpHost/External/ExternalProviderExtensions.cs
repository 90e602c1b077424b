using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace IdpHost.External;

/// <summary>
/// Registers an external OpenID Connect provider with Microsoft's OIDC handler as an external scheme of Identity: the provider
/// signs the user in to Identity's external cookie (<see cref="IdentityConstants.ExternalScheme"/>), and the sample's
/// <c>/Account/ExternalLogin</c> page turns that into a local account's sign-in, added to the browser like a password sign-in.
/// </summary>
public static class ExternalProviderExtensions
{
    /// <summary>The configuration section of the provider, and its scheme name (the <c>LoginProvider</c> of linked logins).</summary>
    public const string Scheme = "Oidc";

    /// <summary>The configuration section.</summary>
    public const string Section = "ExternalProviders:" + Scheme;

    /// <summary>Where the provider sends the browser back (on this IdP).</summary>
    public const string CallbackPath = "/signin-external";

    /// <summary>
    /// Adds the provider when <c>ExternalProviders:Oidc:Authority</c> and <c>:ClientId</c> are configured; otherwise does
    /// nothing (the login page then shows no external button). Returns <c>true</c> when it was added.
    /// </summary>
    public static bool AddExternalOidcProvider(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);
        var settings = configuration.GetSection(Section).Get<ExternalProviderSettings>();
        var hasAuthority = !string.IsNullOrWhiteSpace(settings?.Authority);
        var hasClientId = !string.IsNullOrWhiteSpace(settings?.ClientId);
        if (!hasAuthority && !hasClientId)
        {
            return false;
        }

        // A half-configured provider stops the host with a message rather than silently leaving the button out.
        if (!hasAuthority || !hasClientId)
        {
            throw new InvalidOperationException($"{Section}:Authority and {Section}:ClientId are both required to turn the external provider on; only {(hasAuthority ? "Authority" : "ClientId")} is set.");
        }

        if (!Uri.TryCreate(settings!.Authority, UriKind.Absolute, out var authority) || authority.Scheme is not ("https" or "http"))
        {
            throw new InvalidOperationException($"{Section}:Authority must be an absolute http(s) URL (was '{settings.Authority}').");
        }

        var development = environment.IsDevelopment();
        var requireHttps = settings.RequireHttpsMetadata ?? !development;
        if (requireHttps && authority.Scheme != "https")
        {
            throw new InvalidOperationException($"{Section}:Authority must be an https URL (was '{settings.Authority}'); a plain http provider is accepted only with {Section}:RequireHttpsMetadata=false, in Development.");
        }

        if (!requireHttps && !development)
        {
            throw new InvalidOperationException($"{Section}:RequireHttpsMetadata=false is accepted in Development only.");
        }
        services.AddAuthentication().AddOpenIdConnect(Scheme, string.IsNullOrWhiteSpace(settings.DisplayName) ? Scheme : settings.DisplayName.Trim(), options =>
        {
            options.SignInScheme = IdentityConstants.ExternalScheme;
            options.Authority = settings.Authority;
            options.ClientId = settings.ClientId;
            options.ClientSecret = string.IsNullOrEmpty(settings.ClientSecret) ? null : settings.ClientSecret;
            options.RequireHttpsMetadata = requireHttps;
            options.ResponseType = OpenIdConnectResponseType.Code;
            options.UsePkce = true;

            // The code comes back in the query of a top-level GET: the correlation and nonce cookies can then be SameSite=Lax
            // (a cross-site form post would need SameSite=None, which browsers refuse without Secure, as on plain http).
            options.ResponseMode = OpenIdConnectResponseMode.Query;
            options.CallbackPath = CallbackPath;
            options.SignedOutCallbackPath = "/signout-callback-external";
            options.RemoteSignOutPath = "/signout-external";
            options.Scope.Clear();
            options.Scope.Add(OpenIdConnectScope.OpenId);
            options.Scope.Add(OpenIdConnectScope.Email);
            options.Scope.Add("profile");
            options.MapInboundClaims = false;
            options.TokenValidationParameters.NameClaimType = "name";
            options.SaveTokens = false;

            // Identity names the external login by ClaimTypes.NameIdentifier: the provider's subject, claim types kept as sent.
            options.Events.OnTokenValidated = context =>
            {
                if (context.Principal?.Identity is ClaimsIdentity identity && identity.FindFirst("sub") is { } subject
                    && identity.FindFirst(ClaimTypes.NameIdentifier) is null)
                {
                    identity.AddClaim(new Claim(ClaimTypes.NameIdentifier, subject.Value, subject.ValueType, subject.Issuer));
                }

                return Task.CompletedTask;
            };

            // A refusal or error at the provider (or a stale callback) ends on the external sign-in page's readable message,
            // not on an exception page.
            options.Events.OnRemoteFailure = context =>
            {
                var back = context.Properties?.RedirectUri is { } uri && uri.StartsWith("/Account/ExternalLogin?", StringComparison.Ordinal)
                    ? uri
                    : "/Account/ExternalLogin?handler=Callback";
                context.Response.Redirect(back);
                context.HandleResponse();
                return Task.CompletedTask;
            };
            var secure = development ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
            options.CorrelationCookie.SameSite = SameSiteMode.Lax;
            options.CorrelationCookie.SecurePolicy = secure;
            options.NonceCookie.SameSite = SameSiteMode.Lax;
            options.NonceCookie.SecurePolicy = secure;
        });
        return true;
    }
}
