using IdentityServer.MultiSession.Http;
using System.Security.Claims;
using IdentityServer.MultiSession;
using IdentityServer.MultiSession.Authentication;
using IdentityServer.MultiSession.Sessions;
using IdpHost.Data;
using IdpHost.Identity;
using IdpHost.Login;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Localization;

namespace IdpHost.Pages.Account;

/// <summary>
/// Sign-in through an external OpenID Connect provider. The login page's button posts here and is sent to the provider; the
/// provider sends the browser back to <see cref="OnGetCallbackAsync"/>:
/// <list type="bullet">
/// <item>an external login linked to a local account signs that account in exactly like a password sign-in (added to the
/// browser beside the others, the limit told before anything is written, the account's second factor asked for, <c>amr</c>
/// <c>fed</c>);</item>
/// <item>an external login linked to no account offers a new local account, or linking to an account the user already has
/// once they sign in with its password. An account is never linked because its email matches the provider's.</item>
/// </list>
/// </summary>
[DeviceScopedAntiforgery]
[EnableRateLimiting(LoginRateLimitOptions.PolicyName)]
public sealed class ExternalLoginModel(
    UserManager<ApplicationUser> users,
    MultiAccountSignInManager signIn,
    PasswordLogin passwordLogin,
    ReturnUrlValidator returnUrls,
    IStringLocalizer<IdentityTexts> texts,
    IStringLocalizer<SampleText> sampleTexts,
    ILogger<ExternalLoginModel> logger) : PageModel
{
    /// <summary>The one answer to an address that cannot be used for a new account, taken or not.</summary>
    internal const string AddressRefused = "This email address cannot be used for a new account. If you already have an account, sign in with its password below to link it.";

    /// <summary>The provider's scheme (posted by the login page's button).</summary>
    [BindProperty]
    public string? Provider { get; set; }

    /// <summary>Where to go after signing in.</summary>
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    /// <summary>The new account's email (prefilled with the provider's).</summary>
    [BindProperty]
    public string? Email { get; set; }

    /// <summary>The new account's display name (prefilled with the provider's).</summary>
    [BindProperty]
    public string? DisplayName { get; set; }

    /// <summary>The existing account to link: email or user name.</summary>
    [BindProperty]
    public string? UserName { get; set; }

    /// <summary>The existing account's password.</summary>
    [BindProperty]
    public string? Password { get; set; }

    /// <summary>The provider's display name, once the external sign-in is known.</summary>
    public string ProviderName { get; private set; } = string.Empty;

    /// <summary>The name the provider gave for the user (its email, or its name).</summary>
    public string ExternalName { get; private set; } = string.Empty;

    /// <summary><c>true</c> when there is no external sign-in to continue (expired, cancelled or already finished).</summary>
    public bool Expired { get; private set; }

    /// <summary><c>true</c> when the browser holds the maximum of accounts and this sign-in would add one.</summary>
    public bool LimitReached { get; private set; }

    /// <summary><c>true</c> when a new account cannot be created because the browser is full (linking may still work).</summary>
    public bool CreateRefusedByLimit { get; private set; }

    /// <summary>A failure message of the create form.</summary>
    public string? CreateError { get; private set; }

    /// <summary>A failure message of the link form.</summary>
    public string? LinkError { get; private set; }

    /// <summary>Why the linked account could not be signed in (locked out, not allowed, superseded by another sign-in).</summary>
    public string? SignInError { get; private set; }

    /// <summary>The validated return URL.</summary>
    public string SafeReturnUrl => returnUrls.Sanitize(ReturnUrl);

    /// <summary>The login page with this return URL.</summary>
    public string LoginUrl => LoginPageUrl.For(returnUrls, ReturnUrl);

    /// <summary>This page's callback with the return URL: where the limit message's sign-out buttons come back to.</summary>
    public string CallbackUrl => QueryHelpers.AddQueryString("/Account/ExternalLogin", new Dictionary<string, string?>
    {
        ["handler"] = "Callback",
        ["ReturnUrl"] = SafeReturnUrl,
    });

    /// <summary>Without a sign-in under way there is nothing to show: back to the login page.</summary>
    public IActionResult OnGet() => Redirect(LoginUrl);

    /// <summary>Sends the browser to the provider.</summary>
    public async Task<IActionResult> OnPostAsync()
    {
        Response.PreventCaching();
        var schemes = await signIn.GetExternalAuthenticationSchemesAsync();
        var scheme = schemes.FirstOrDefault(s => string.Equals(s.Name, Provider, StringComparison.Ordinal));
        if (scheme is null)
        {
            return Redirect(LoginUrl);
        }

        var properties = signIn.ConfigureExternalAuthenticationProperties(scheme.Name, CallbackUrl);
        return Challenge(properties, scheme.Name);
    }

    /// <summary>Back from the provider: signs the linked account in, or offers to create or link one.</summary>
    public async Task<IActionResult> OnGetCallbackAsync()
    {
        Response.PreventCaching();
        var info = await LoadAsync();
        if (info is null)
        {
            return Page();
        }

        var user = await users.FindByLoginAsync(info.LoginProvider, info.ProviderKey);
        if (user is not null)
        {
            return await SignInLinkedAsync(info, user);
        }

        Email = Claim(info, ClaimTypes.Email, "email");
        DisplayName = Claim(info, ClaimTypes.Name, "name");
        CreateRefusedByLimit = await TwoFactorSignInFlow.IsRefusedByLimitAsync(HttpContext, userId: string.Empty);
        return Page();
    }

    /// <summary>Creates a local account for the external login, links it and signs it in.</summary>
    public async Task<IActionResult> OnPostCreateAsync()
    {
        Response.PreventCaching();
        var info = await LoadAsync();
        if (info is null)
        {
            return Page();
        }

        if (await users.FindByLoginAsync(info.LoginProvider, info.ProviderKey) is { } linked)
        {
            // Another tab finished this already.
            return await SignInLinkedAsync(info, linked);
        }

        // The browser's limit is told before the account is created.
        if (await TwoFactorSignInFlow.IsRefusedByLimitAsync(HttpContext, userId: string.Empty))
        {
            CreateRefusedByLimit = true;
            return Page();
        }

        var email = Email?.Trim() ?? string.Empty;
        if (email.Length is 0 or > 256 || !email.Contains('@', StringComparison.Ordinal))
        {
            CreateError = texts["Enter an email address."];
            return Page();
        }

        // Whether an address is registered is not told: a taken address gets the answer of any address Identity refuses, and
        // its owner links the provider by signing in with the account's password (the form below).
        if (await users.FindByEmailAsync(email) is not null || await users.FindByNameAsync(email) is not null)
        {
            CreateError = texts[AddressRefused];
            return Page();
        }

        var providerEmail = Claim(info, ClaimTypes.Email, "email");
        var user = new ApplicationUser
        {
            UserName = email,
            Email = email,

            // Confirmed only when it is the address the provider vouched for.
            EmailConfirmed = string.Equals(email, providerEmail, StringComparison.OrdinalIgnoreCase)
                && string.Equals(Claim(info, "email_verified"), "true", StringComparison.OrdinalIgnoreCase),
            DisplayName = string.IsNullOrWhiteSpace(DisplayName) ? null : DisplayName.Trim()[..Math.Min(DisplayName.Trim().Length, 256)],
        };
        var created = await users.CreateAsync(user);
        if (!created.Succeeded)
        {
            // Identity's own descriptions of a refused address name it as taken ("Email '…' is already taken."): one answer.
            CreateError = created.Errors.Any(e => e.Code is nameof(IdentityErrorDescriber.DuplicateEmail) or nameof(IdentityErrorDescriber.DuplicateUserName)
                    or nameof(IdentityErrorDescriber.InvalidEmail) or nameof(IdentityErrorDescriber.InvalidUserName))
                ? texts[AddressRefused]
                : string.Join(" ", created.Errors.Select(e => e.Description));
            return Page();
        }

        var added = await users.AddLoginAsync(user, info);
        if (!added.Succeeded)
        {
            // Nothing half-written: the account without its login is removed again.
            await users.DeleteAsync(user);
            CreateError = string.Join(" ", added.Errors.Select(e => e.Description));
            return Page();
        }

        IdpLog.ExternalAccountCreated(logger, info.LoginProvider, user.Id);
        return await SignInLinkedAsync(info, user);
    }

    /// <summary>Links the external login to an existing account once its password is given, and signs it in.</summary>
    public async Task<IActionResult> OnPostLinkAsync()
    {
        Response.PreventCaching();
        var info = await LoadAsync();
        if (info is null)
        {
            return Page();
        }

        if (await users.FindByLoginAsync(info.LoginProvider, info.ProviderKey) is { } linked)
        {
            return await SignInLinkedAsync(info, linked);
        }

        CreateRefusedByLimit = await TwoFactorSignInFlow.IsRefusedByLimitAsync(HttpContext, userId: string.Empty);
        var (failure, user) = await passwordLogin.CheckAsync(UserName, Password);
        Password = null;
        if (failure is not null || user is null)
        {
            LinkError = sampleTexts[LoginTexts.Failed];
            return Page();
        }

        if (users.SupportsUserTwoFactor && await users.GetTwoFactorEnabledAsync(user))
        {
            // A password alone does not prove enough for such an account: it links the provider from its own account pages.
            LinkError = texts["This account uses two-factor authentication: sign in to it first, then link {0} under Your account, External logins.", ProviderName];
            return Page();
        }

        // The browser's limit is told before the login is linked.
        if (await TwoFactorSignInFlow.IsRefusedByLimitAsync(HttpContext, user.Id))
        {
            LimitReached = true;
            return Page();
        }

        var added = await users.AddLoginAsync(user, info);
        if (!added.Succeeded)
        {
            LinkError = string.Join(" ", added.Errors.Select(e => e.Description));
            return Page();
        }

        IdpLog.ExternalLoginLinked(logger, info.LoginProvider, user.Id);
        return await SignInLinkedAsync(info, user);
    }

    private async Task<IActionResult> SignInLinkedAsync(ExternalLoginInfo info, ApplicationUser user)
    {
        // The limit is told before anything is written (a second factor asked for, or the external state consumed).
        if (await TwoFactorSignInFlow.IsRefusedByLimitAsync(HttpContext, user.Id))
        {
            LimitReached = true;
            IdpLog.ExternalSignInRefusedByLimit(logger, info.LoginProvider, user.Id);
            return Page();
        }

        Microsoft.AspNetCore.Identity.SignInResult result;
        try
        {
            // As Identity does: an account with two-factor on gives its second factor after the provider (unless this
            // browser is remembered for it).
            result = await signIn.ExternalLoginSignInAsync(info.LoginProvider, info.ProviderKey, isPersistent: true, bypassTwoFactor: false);
        }
        catch (MultiSessionLimitReachedException)
        {
            // Another tab filled the browser between the check and the sign-in.
            LimitReached = true;
            return Page();
        }
        catch (MultiSessionSignInSupersededException superseded)
        {
            SignInError = sampleTexts[superseded.Message];
            return Page();
        }

        if (result.Succeeded)
        {
            IdpLog.ExternalSignIn(logger, info.LoginProvider, user.Id);
            return Redirect(SafeReturnUrl);
        }

        if (result.RequiresTwoFactor)
        {
            var next = await TwoFactorSignInFlow.ContinueAsync(HttpContext, user.Id, SafeReturnUrl);
            if (next is null)
            {
                LimitReached = true;
                return Page();
            }

            return Redirect(next);
        }

        SignInError = texts["This account cannot sign in right now."];
        return Page();
    }

    private async Task<ExternalLoginInfo?> LoadAsync()
    {
        var info = await signIn.GetExternalLoginInfoAsync();
        if (info is null)
        {
            Expired = true;
            return null;
        }

        ProviderName = info.ProviderDisplayName ?? info.LoginProvider;
        ExternalName = Claim(info, ClaimTypes.Email, "email") ?? Claim(info, ClaimTypes.Name, "name") ?? string.Empty;
        return info;
    }

    private static string? Claim(ExternalLoginInfo info, params string[] types) =>
        types.Select(type => info.Principal.FindFirst(type)?.Value).FirstOrDefault(value => !string.IsNullOrWhiteSpace(value));

    /// <summary>Identity's sign-in sets <c>HttpContext.User</c>: the page is rendered anonymous again (device-scoped antiforgery).</summary>
    public override void OnPageHandlerExecuted(Microsoft.AspNetCore.Mvc.Filters.PageHandlerExecutedContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        HttpContext.User = new ClaimsPrincipal(new ClaimsIdentity());
    }
}
