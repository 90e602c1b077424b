using IdentityServer.MultiSession.Authentication;
using IdentityServer.MultiSession.Sessions;
using IdpHost.Identity;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace IdpHost.Pages.Account;

/// <summary>The second step of a two-factor sign-in: the authenticator app's code, and "remember this browser" for this account.</summary>
[DeviceScopedAntiforgery]
public sealed class LoginWith2faModel(MultiAccountSignInManager signIn, ReturnUrlValidator returnUrls, IStringLocalizer<IdentityTexts> texts)
    : SecondFactorPageModel(signIn, returnUrls, texts)
{
    /// <summary>The code from the authenticator app.</summary>
    [BindProperty]
    public string? Code { get; set; }

    /// <summary>Do not ask this account for a code again in this browser.</summary>
    [BindProperty]
    public bool RememberMachine { get; set; }

    /// <inheritdoc />
    protected override string? ReadCode() => Code?.Replace("-", string.Empty, StringComparison.Ordinal);

    /// <inheritdoc />
    protected override Task<Microsoft.AspNetCore.Identity.SignInResult> SignInAsync(string code) =>
        SignInManager.TwoFactorAuthenticatorSignInAsync(code, isPersistent: true, rememberClient: RememberMachine);
}
