using IdpHost.Data;
using IdpHost.Identity;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace IdpHost.Pages.Account.Manage;

/// <summary>
/// Two-factor authentication of the active account: its state, new recovery codes, resetting the authenticator app, turning
/// it off, and forgetting this browser for this account only (the other accounts this browser remembers stay remembered).
/// </summary>
public sealed class TwoFactorModel(
    UserManager<ApplicationUser> users,
    MultiAccountSignInManager signIn,
    IDataProtectionProvider dataProtection,
    IStringLocalizer<IdentityTexts> texts)
    : ManagePageModel(users, dataProtection, texts)
{
    /// <summary><c>true</c> when two-factor authentication is on.</summary>
    public bool Enabled { get; private set; }

    /// <summary>How many recovery codes are left.</summary>
    public int RecoveryCodesLeft { get; private set; }

    /// <summary><c>true</c> when this browser skips the second factor for this account.</summary>
    public bool BrowserRemembered { get; private set; }

    /// <summary>New recovery codes, shown once.</summary>
    public IReadOnlyList<string> RecoveryCodes { get; private set; } = [];

    /// <summary>Replaces the recovery codes.</summary>
    public async Task<IActionResult> OnPostRecoveryCodesAsync()
    {
        if (await CheckPostAsync() is { } refused)
        {
            return refused;
        }

        if (!await Users.GetTwoFactorEnabledAsync(CurrentUser))
        {
            ErrorMessage = Texts["Set up an authenticator app first."];
        }
        else
        {
            RecoveryCodes = (await Users.GenerateNewTwoFactorRecoveryCodesAsync(CurrentUser, 10))?.ToList() ?? [];
            StatusMessage = Texts["New recovery codes were made. Keep them somewhere safe: each works once, and the old ones no longer work."];
        }

        await OnLoadedAsync();
        return Page();
    }

    /// <summary>Forgets this browser for this account.</summary>
    public async Task<IActionResult> OnPostForgetBrowserAsync()
    {
        if (await CheckPostAsync() is { } refused)
        {
            return refused;
        }

        await signIn.ForgetTwoFactorClientAsync(CurrentUser);
        StatusMessage = Texts["This browser will ask this account for a code again."];
        await OnLoadedAsync();
        BrowserRemembered = false;
        return Page();
    }

    /// <summary>Turns two-factor authentication off.</summary>
    public async Task<IActionResult> OnPostDisableAsync()
    {
        if (await CheckPostAsync() is { } refused)
        {
            return refused;
        }

        await Users.SetTwoFactorEnabledAsync(CurrentUser, false);
        await signIn.RefreshSignInAsync(CurrentUser);
        StatusMessage = Texts["Two-factor authentication is off."];
        await OnLoadedAsync();
        return Page();
    }

    /// <summary>Turns two-factor authentication off and makes a new authenticator key, then asks for the app to be set up again.</summary>
    public async Task<IActionResult> OnPostResetAuthenticatorAsync()
    {
        if (await CheckPostAsync() is { } refused)
        {
            return refused;
        }

        await Users.SetTwoFactorEnabledAsync(CurrentUser, false);
        await Users.ResetAuthenticatorKeyAsync(CurrentUser);
        await signIn.RefreshSignInAsync(CurrentUser);
        return RedirectToPage("EnableAuthenticator");
    }

    /// <inheritdoc />
    protected override async Task OnLoadedAsync()
    {
        Enabled = await Users.GetTwoFactorEnabledAsync(CurrentUser);
        RecoveryCodesLeft = Enabled ? await Users.CountRecoveryCodesAsync(CurrentUser) : 0;
        BrowserRemembered = Enabled && await signIn.IsTwoFactorClientRememberedAsync(CurrentUser);
    }
}
