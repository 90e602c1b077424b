using IdpHost.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;

namespace IdpHost.Identity;

/// <summary>
/// Makes Identity's two-factor state work with several accounts in one browser: <see cref="MultiAccountSignInManager"/>
/// (remember-this-browser per account, <c>amr</c> per sign-in) and <see cref="PendingTwoFactorAuthenticationHandler"/>
/// (pending second-factor sign-ins per attempt).
/// </summary>
public static class MultiAccountIdentityExtensions
{
    /// <summary>Registers the sign-in manager and the handler of Identity's <c>Identity.TwoFactorUserId</c> scheme.</summary>
    public static IdentityBuilder AddMultiAccountTwoFactor(this IdentityBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddSignInManager<MultiAccountSignInManager>();
        builder.Services.AddScoped(sp => (MultiAccountSignInManager)sp.GetRequiredService<SignInManager<ApplicationUser>>());
        builder.Services.Configure<AuthenticationOptions>(options =>
        {
            if (options.SchemeMap.TryGetValue(IdentityConstants.TwoFactorUserIdScheme, out var scheme))
            {
                scheme.HandlerType = typeof(PendingTwoFactorAuthenticationHandler);
            }
        });

        // Identity validates the remember-me cookie's security stamp as a whole (the first identity's only, and a mismatch
        // would forget every account). The sign-in manager checks the stamp of the account asking instead.
        builder.Services.Configure<CookieAuthenticationOptions>(IdentityConstants.TwoFactorRememberMeScheme, options =>
            options.Events.OnValidatePrincipal = _ => Task.CompletedTask);
        return builder;
    }
}
