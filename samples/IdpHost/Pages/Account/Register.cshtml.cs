using IdentityServer.MultiSession.Http;
using IdentityServer.MultiSession;
using IdentityServer.MultiSession.Authentication;
using IdentityServer.MultiSession.Sessions;
using IdpHost.Data;
using IdpHost.Identity;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Localization;

namespace IdpHost.Pages.Account;

/// <summary>
/// Creates an account with a password and signs it in: it is added to the browser beside the accounts already there. A full
/// browser is told before the account is created.
/// </summary>
[DeviceScopedAntiforgery]
public sealed class RegisterModel(
    UserManager<ApplicationUser> users,
    MultiAccountSignInManager signIn,
    ReturnUrlValidator returnUrls,
    IStringLocalizer<IdentityTexts> texts) : PageModel
{
    /// <summary>Email address (also the user name).</summary>
    [BindProperty]
    public string? Email { get; set; }

    /// <summary>The name shown in the account picker.</summary>
    [BindProperty]
    public string? DisplayName { get; set; }

    /// <summary>Password.</summary>
    [BindProperty]
    public string? Password { get; set; }

    /// <summary>Password again.</summary>
    [BindProperty]
    public string? ConfirmPassword { get; set; }

    /// <summary>Where to go afterwards.</summary>
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    /// <summary>A failure message.</summary>
    public string? ErrorMessage { get; private set; }

    /// <summary><c>true</c> when the browser holds the maximum of accounts.</summary>
    public bool LimitReached { get; private set; }

    /// <summary>This page, with its return URL: where the limit message's sign-out buttons come back to.</summary>
    public string RegisterUrl => QueryHelpers.AddQueryString("/Account/Register", "ReturnUrl", returnUrls.Sanitize(ReturnUrl));

    /// <summary>Shows the form (or the limit message).</summary>
    public async Task OnGetAsync()
    {
        Response.PreventCaching();
        LimitReached = await TwoFactorSignInFlow.IsRefusedByLimitAsync(HttpContext, userId: string.Empty);
    }

    /// <summary>Creates the account and signs it in.</summary>
    public async Task<IActionResult> OnPostAsync()
    {
        Response.PreventCaching();
        if (await TwoFactorSignInFlow.IsRefusedByLimitAsync(HttpContext, userId: string.Empty))
        {
            LimitReached = true;
            return Page();
        }

        var email = Email?.Trim() ?? string.Empty;
        if (email.Length is 0 or > 256 || !email.Contains('@', StringComparison.Ordinal) || string.IsNullOrEmpty(Password) || Password != ConfirmPassword)
        {
            ErrorMessage = texts["Enter an email address and the same password twice."];
            return Page();
        }

        var user = new ApplicationUser
        {
            UserName = email,
            Email = email,
            DisplayName = string.IsNullOrWhiteSpace(DisplayName) ? null : DisplayName.Trim()[..Math.Min(DisplayName.Trim().Length, 256)],
        };
        var result = await users.CreateAsync(user, Password);
        if (!result.Succeeded)
        {
            ErrorMessage = string.Join(" ", result.Errors.Select(e => e.Description));
            Password = ConfirmPassword = null;
            return Page();
        }

        try
        {
            await signIn.SignInAsync(user, isPersistent: true);
        }
        catch (MultiSessionLimitReachedException)
        {
            // Another tab filled the browser meanwhile: the account exists and can sign in once a slot is free.
            LimitReached = true;
            return Page();
        }

        return Redirect(returnUrls.Sanitize(ReturnUrl));
    }
}
