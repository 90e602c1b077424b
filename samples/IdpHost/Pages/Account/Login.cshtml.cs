using IdentityServer.MultiSession.Http;
using IdentityServer.MultiSession;
using IdentityServer.MultiSession.Authentication;
using IdentityServer.MultiSession.Sessions;
using IdpHost.Login;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.WebUtilities;

namespace IdpHost.Pages.Account;

/// <summary>
/// The login page: always shows the form (<c>prompt=login</c> semantics), pre-fills <c>login_hint</c>, and shows the library's
/// limit message when the browser is full. With <c>MultiSession:Enabled=false</c> it is a plain Identity login. Every failed
/// attempt costs one password-hash verification and shows one message (<see cref="PasswordLogin"/>); posts are rate-limited
/// per client address (<see cref="LoginRateLimitOptions"/>).
/// </summary>
[DeviceScopedAntiforgery]
[EnableRateLimiting(LoginRateLimitOptions.PolicyName)]
public sealed partial class LoginModel(
    PasswordLogin passwordLogin,
    ReturnUrlValidator returnUrls,
    IDeviceSessionService? sessions = null) : PageModel
{
    /// <summary>The form.</summary>
    [BindProperty]
    public LoginInput Input { get; set; } = new();

    /// <summary>Where to go after signing in.</summary>
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    /// <summary>The account to pre-fill.</summary>
    [FromQuery(Name = MultiSessionDefaults.LoginHintParameter)]
    public string? LoginHint { get; set; }

    /// <summary>A failure message.</summary>
    public string? ErrorMessage { get; private set; }

    /// <summary><c>true</c> when the sign-in was refused because the browser holds the maximum of accounts.</summary>
    public bool LimitReached { get; private set; }

    /// <summary><c>true</c> when accounts are signed in on this browser.</summary>
    public bool HasAccounts { get; private set; }

    /// <summary>This page, with its return URL: where the limit message's sign-out buttons come back to.</summary>
    public string LoginUrl => LoginPageUrl.For(returnUrls, ReturnUrl);

    /// <summary>The account picker, returning to the same place.</summary>
    public string PickerUrl => QueryHelpers.AddQueryString(MultiSessionDefaults.PickerPath, "returnUrl", returnUrls.Sanitize(ReturnUrl));

    /// <summary>Shows the form.</summary>
    public async Task OnGetAsync()
    {
        Response.PreventCaching();
        Input.UserName = LoginHint is { Length: <= 256 } hint ? hint : null;
        HasAccounts = sessions is not null && (await sessions.ListAsync(HttpContext, HttpContext.RequestAborted)).Count > 0;
    }

    /// <summary>Signs in; the new account is added to the browser and becomes active.</summary>
    public async Task<IActionResult> OnPostAsync()
    {
        Response.PreventCaching();

        // Validated and normalised before anything is written: the redirect after a committed sign-in cannot fail.
        var target = returnUrls.Sanitize(ReturnUrl);
        try
        {
            var (outcome, userId) = await passwordLogin.SignInAsync(Input.UserName, Input.Password, isPersistent: true);
            if (outcome == PasswordLoginOutcome.RequiresTwoFactor)
            {
                // The limit is checked before the second factor is asked for (an account already on the browser never counts).
                var next = await IdpHost.Identity.TwoFactorSignInFlow.ContinueAsync(HttpContext, userId!, target);
                if (next is null)
                {
                    LimitReached = true;
                    return await FailAsync(null);
                }

                return Redirect(next);
            }

            return outcome == PasswordLoginOutcome.SignedIn
                ? Redirect(target)
                : await FailAsync(LoginTexts.Failed);
        }
        catch (MultiSessionLimitReachedException)
        {
            LimitReached = true;
            return await FailAsync(null);
        }
        catch (MultiSessionSignInSupersededException superseded)
        {
            // Another sign-in of this browser finished first and replaced its device cookie: nothing was written here.
            return await FailAsync(superseded.Message);
        }
    }

    private async Task<IActionResult> FailAsync(string? message)
    {
        ErrorMessage = message;
        Input.Password = null;
        HasAccounts = sessions is not null && (await sessions.ListAsync(HttpContext, HttpContext.RequestAborted)).Count > 0;
        return Page();
    }

    /// <summary>The login form's fields.</summary>
    public sealed class LoginInput
    {
        /// <summary>Email or user name.</summary>
        public string? UserName { get; set; }

        /// <summary>Password.</summary>
        public string? Password { get; set; }
    }
}
