using IdentityServer.MultiSession;
using IdentityServer.MultiSession.Sessions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace IdpHost.Identity;

/// <summary>
/// The steps between a correct password and the second factor: the browser's limit is checked before the user is asked for
/// a code (an account that is already on the device never counts against it), and the pending attempt is named in the URL of
/// the second-factor pages.
/// </summary>
public static class TwoFactorSignInFlow
{
    /// <summary>The second-factor page.</summary>
    public const string AuthenticatorPage = "/Account/LoginWith2fa";

    /// <summary>The recovery-code page.</summary>
    public const string RecoveryCodePage = "/Account/LoginWithRecoveryCode";

    /// <summary>
    /// After Identity answered <c>RequiresTwoFactor</c> to the password step: the URL of the second-factor page for the attempt
    /// just started, or <c>null</c> when the browser is full (the attempt is then dropped, and the caller shows the limit).
    /// </summary>
    public static async Task<string?> ContinueAsync(HttpContext context, string userId, string returnUrl)
    {
        ArgumentNullException.ThrowIfNull(context);
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(TwoFactorSignInFlow));
        var attemptId = PendingTwoFactorAuthenticationHandler.GetNewAttemptId(context);
        if (attemptId is null || await IsRefusedByLimitAsync(context, userId))
        {
            PendingTwoFactorAuthenticationHandler.SelectAttempt(context, attemptId ?? string.Empty);
            await context.SignOutAsync(IdentityConstants.TwoFactorUserIdScheme);
            IdpLog.SecondFactorRefusedByLimit(logger, userId, context.RequestServices.GetRequiredService<IOptionsMonitor<MultiSessionOptions>>().CurrentValue.MaximumSessions);
            return null;
        }

        IdpLog.SecondFactorStarted(logger, userId);

        return PageUrl(AuthenticatorPage, attemptId, returnUrl);
    }

    /// <summary>A second-factor page's URL for an attempt.</summary>
    public static string PageUrl(string page, string attemptId, string? returnUrl) =>
        QueryHelpers.AddQueryString(page, new Dictionary<string, string?>
        {
            [PendingTwoFactorAuthenticationHandler.AttemptParameter] = attemptId,
            ["ReturnUrl"] = returnUrl,
        });

    /// <summary>
    /// <c>true</c> when signing <paramref name="userId"/> in would be refused because the browser already holds the maximum of
    /// accounts (and the policy refuses rather than evicts). Always <c>false</c> without the multi-session library.
    /// </summary>
    public static async Task<bool> IsRefusedByLimitAsync(HttpContext context, string userId)
    {
        ArgumentNullException.ThrowIfNull(context);
        var sessions = context.RequestServices.GetService<IDeviceSessionService>();
        if (sessions is null)
        {
            return false;
        }

        var options = context.RequestServices.GetRequiredService<IOptionsMonitor<MultiSessionOptions>>().CurrentValue;
        if (options.OnLimitReached != LimitReachedBehavior.Reject)
        {
            return false;
        }

        var accounts = await sessions.ListAsync(context, context.RequestAborted);
        return accounts.Count >= options.MaximumSessions && !accounts.Any(s => s.UserId == userId);
    }
}
