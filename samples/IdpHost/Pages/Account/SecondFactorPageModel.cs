using IdentityServer.MultiSession.Http;
using IdentityServer.MultiSession;
using IdentityServer.MultiSession.Sessions;
using IdpHost.Data;
using IdpHost.Identity;
using IdpHost.Login;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Localization;

namespace IdpHost.Pages.Account;

/// <summary>
/// What the second-factor pages share: the pending attempt named by the URL (so that two tabs with pending sign-ins of
/// different accounts keep their own), the account it is for, and the browser's limit, checked before any code is taken.
/// </summary>
public abstract class SecondFactorPageModel(
    MultiAccountSignInManager signIn,
    ReturnUrlValidator returnUrls,
    IStringLocalizer<IdentityTexts> texts) : PageModel
{
    /// <summary>The pending attempt (from the password step).</summary>
    [BindProperty(SupportsGet = true, Name = PendingTwoFactorAuthenticationHandler.AttemptParameter)]
    public string? Attempt { get; set; }

    /// <summary>Where to go after signing in.</summary>
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    /// <summary>The account this attempt signs in, once found.</summary>
    public ApplicationUser? Account { get; private set; }

    /// <summary>A failure message.</summary>
    public string? ErrorMessage { get; protected set; }

    /// <summary><c>true</c> when the attempt is unknown or expired: the user starts again at the login page.</summary>
    public bool Expired { get; private set; }

    /// <summary><c>true</c> when the browser holds the maximum of accounts (the library's limit message is shown).</summary>
    public bool LimitReached { get; protected set; }

    /// <summary>The texts.</summary>
    protected IStringLocalizer<IdentityTexts> Texts => texts;

    /// <summary>The sign-in manager.</summary>
    protected MultiAccountSignInManager SignInManager => signIn;

    /// <summary>The validated return URL.</summary>
    public string SafeReturnUrl => returnUrls.Sanitize(ReturnUrl);

    /// <summary>The login page with this return URL: where an expired attempt starts again, and where the limit's buttons return.</summary>
    public string LoginUrl => LoginPageUrl.For(returnUrls, ReturnUrl);

    /// <summary>The authenticator-code page of this attempt.</summary>
    public string AuthenticatorUrl => TwoFactorSignInFlow.PageUrl(TwoFactorSignInFlow.AuthenticatorPage, Attempt ?? string.Empty, SafeReturnUrl);

    /// <summary>The recovery-code page of this attempt.</summary>
    public string RecoveryCodeUrl => TwoFactorSignInFlow.PageUrl(TwoFactorSignInFlow.RecoveryCodePage, Attempt ?? string.Empty, SafeReturnUrl);

    /// <summary>Shows the form, or why it cannot be used.</summary>
    public async Task<IActionResult> OnGetAsync()
    {
        Response.PreventCaching();
        await LoadAsync();
        return Page();
    }

    /// <summary>Checks the code and signs in; the account is added to the browser and becomes active.</summary>
    public async Task<IActionResult> OnPostAsync()
    {
        Response.PreventCaching();
        if (!await LoadAsync())
        {
            return Page();
        }

        var code = new string((ReadCode() ?? string.Empty).Where(c => !char.IsWhiteSpace(c)).ToArray());
        if (code.Length is 0 or > 64)
        {
            ErrorMessage = Texts["Enter the code."];
            return Page();
        }

        Microsoft.AspNetCore.Identity.SignInResult result;
        try
        {
            result = await SignInAsync(code);
        }
        catch (MultiSessionLimitReachedException)
        {
            // Another tab filled the browser between the check and the sign-in.
            LimitReached = true;
            return Page();
        }

        if (result.Succeeded)
        {
            return Redirect(SafeReturnUrl);
        }

        if (result.IsLockedOut)
        {
            ErrorMessage = Texts["This account is locked after too many failed attempts. Try again later."];
            return Page();
        }

        ErrorMessage = Texts["The code is not correct."];
        return Page();
    }

    /// <summary>The code the form posted (white space is removed afterwards).</summary>
    protected abstract string? ReadCode();

    /// <summary>Signs in with <paramref name="code"/> through Identity.</summary>
    protected abstract Task<Microsoft.AspNetCore.Identity.SignInResult> SignInAsync(string code);

    private async Task<bool> LoadAsync()
    {
        PendingTwoFactorAuthenticationHandler.SelectAttempt(HttpContext, Attempt);
        Account = await signIn.GetTwoFactorAuthenticationUserAsync();
        if (Account is null)
        {
            Expired = true;
            return false;
        }

        if (await TwoFactorSignInFlow.IsRefusedByLimitAsync(HttpContext, Account.Id))
        {
            LimitReached = true;
            return false;
        }

        return true;
    }
}
