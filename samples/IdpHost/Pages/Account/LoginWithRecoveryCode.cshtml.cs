using IdentityServer.MultiSession.Authentication;
using IdentityServer.MultiSession.Sessions;
using IdpHost.Identity;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace IdpHost.Pages.Account;

/// <summary>The second step of a two-factor sign-in with one of the account's recovery codes (each works once).</summary>
[DeviceScopedAntiforgery]
public sealed class LoginWithRecoveryCodeModel(MultiAccountSignInManager signIn, ReturnUrlValidator returnUrls, IStringLocalizer<IdentityTexts> texts)
    : SecondFactorPageModel(signIn, returnUrls, texts)
{
    /// <summary>The recovery code.</summary>
    [BindProperty]
    public string? RecoveryCode { get; set; }

    /// <inheritdoc />
    protected override string? ReadCode() => RecoveryCode;

    /// <inheritdoc />
    protected override Task<Microsoft.AspNetCore.Identity.SignInResult> SignInAsync(string code) => SignInManager.TwoFactorRecoveryCodeSignInAsync(code);
}
