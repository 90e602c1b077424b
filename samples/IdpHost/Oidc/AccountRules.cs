using IdentityServer.MultiSession;
using IdentityServer.MultiSession.Sessions;
using IdpHost.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using IdpHost.Login;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdpHost.Oidc;

/// <summary>
/// Identity's rules for an account the authorization endpoint was about to use: a deleted account, or one that may no longer
/// sign in (an unconfirmed account while <c>RequireConfirmedAccount</c> is on), loses its session on this browser (a deleted
/// one on every browser); a locked-out account is refused while the lockout lasts but keeps its session, since anyone who
/// guesses passwords for it can lock it. The other accounts on the browser are not touched. The client gets
/// <c>login_required</c> with <c>prompt=none</c>, else the login page (with the account filled in, unless it was deleted).
/// </summary>
public static class AccountRules
{
    /// <summary>
    /// <c>null</c> when <paramref name="user"/> may be used; otherwise the answer to the authorization request, after ending the
    /// session where the rule says so.
    /// </summary>
    public static async Task<IResult?> CheckAsync(
        HttpContext context,
        OpenIddictRequest request,
        DeviceSession session,
        ApplicationUser? user,
        UserManager<ApplicationUser> users,
        SignInManager<ApplicationUser> signIn)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(signIn);

        var sessions = context.RequestServices.GetRequiredService<IDeviceSessionService>();
        string description;
        var ended = true;
        if (user is null)
        {
            await sessions.RevokeUserSessionsAsync(session.UserId, SessionEndReason.SecurityStamp, context.RequestAborted);
            description = "The account no longer exists.";
        }
        else if (!await signIn.CanSignInAsync(user))
        {
            // The account's own state ends it (like a security-stamp end); the client asked for a sign-in, not for this logout.
            await sessions.RevokeAsync(context, session.SessionToken, SessionEndReason.SecurityStamp, clientId: null, context.RequestAborted);
            description = "The account can no longer sign in.";
        }
        else if (users.SupportsUserLockout && await users.IsLockedOutAsync(user))
        {
            description = "The account is locked.";
            ended = false;
        }
        else
        {
            return null;
        }

        IdpLog.AccountRuleRefused(
            context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AccountRules)),
            session.UserId,
            description,
            ended);

        if (request.HasPromptValue(PromptValues.None))
        {
            var properties = new AuthenticationProperties(new Dictionary<string, string?>
            {
                [OpenIddictServerAspNetCoreConstants.Properties.Error] = Errors.LoginRequired,
                [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
            });
            return Results.Forbid(properties, [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
        }

        return Results.Redirect(LoginPageUrl.For(
            context.RequestServices.GetRequiredService<ReturnUrlValidator>(),
            context.Request.PathBase + context.Request.Path + context.Request.QueryString,
            user?.Email));
    }
}
