using System.Globalization;
using System.Text;
using IdpHost.Data;
using IdpHost.Identity;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace IdpHost.Pages.Account.Manage;

/// <summary>
/// Sets up an authenticator app (TOTP, RFC 6238) for the active account: the shared key and its <c>otpauth://</c> URI are
/// shown as text; a correct code from the app turns two-factor authentication on and shows ten recovery codes once.
/// </summary>
public sealed class EnableAuthenticatorModel(
    UserManager<ApplicationUser> users,
    MultiAccountSignInManager signIn,
    IDataProtectionProvider dataProtection,
    IStringLocalizer<IdentityTexts> texts)
    : ManagePageModel(users, dataProtection, texts)
{
    private const string Issuer = "MultiSession IdP";

    /// <summary>The shared key, in groups of four.</summary>
    public string SharedKey { get; private set; } = string.Empty;

    /// <summary>The key as an <c>otpauth://totp/</c> URI (what a QR code would hold).</summary>
    public string AuthenticatorUri { get; private set; } = string.Empty;

    /// <summary>The code from the app.</summary>
    [BindProperty]
    public string? Code { get; set; }

    /// <summary>The recovery codes made when two-factor authentication was turned on, shown once.</summary>
    public IReadOnlyList<string> RecoveryCodes { get; private set; } = [];

    /// <summary>Checks the code and turns two-factor authentication on.</summary>
    public async Task<IActionResult> OnPostAsync()
    {
        if (await CheckPostAsync() is { } refused)
        {
            return refused;
        }

        var code = (Code ?? string.Empty).Replace(" ", string.Empty, StringComparison.Ordinal).Replace("-", string.Empty, StringComparison.Ordinal);
        var valid = code.Length is > 0 and <= 12
            && await Users.VerifyTwoFactorTokenAsync(CurrentUser, Users.Options.Tokens.AuthenticatorTokenProvider, code);
        if (!valid)
        {
            ErrorMessage = Texts["The code is not correct."];
            await OnLoadedAsync();
            return Page();
        }

        await Users.SetTwoFactorEnabledAsync(CurrentUser, true);
        if (await Users.CountRecoveryCodesAsync(CurrentUser) == 0)
        {
            RecoveryCodes = (await Users.GenerateNewTwoFactorRecoveryCodesAsync(CurrentUser, 10))?.ToList() ?? [];
        }

        await signIn.RefreshSignInAsync(CurrentUser);
        StatusMessage = Texts["Two-factor authentication is on."];
        return Page();
    }

    /// <inheritdoc />
    protected override async Task OnLoadedAsync()
    {
        if (RefusalMessage is not null)
        {
            // A refused post changes nothing, not even the key of the account that is active now.
            return;
        }

        var key = await Users.GetAuthenticatorKeyAsync(CurrentUser);
        if (string.IsNullOrEmpty(key))
        {
            // A new key renews the security stamp: this browser's session is refreshed to keep it.
            await Users.ResetAuthenticatorKeyAsync(CurrentUser);
            await signIn.RefreshSignInAsync(CurrentUser);
            key = await Users.GetAuthenticatorKeyAsync(CurrentUser) ?? string.Empty;
        }

        SharedKey = FormatKey(key);
        var label = Uri.EscapeDataString($"{Issuer}:{CurrentUser.Email ?? CurrentUser.UserName}");
        AuthenticatorUri = string.Create(CultureInfo.InvariantCulture, $"otpauth://totp/{label}?secret={key}&issuer={Uri.EscapeDataString(Issuer)}&digits=6");
    }

    private static string FormatKey(string key)
    {
        var result = new StringBuilder();
        for (var i = 0; i < key.Length; i += 4)
        {
            result.Append(key.AsSpan(i, Math.Min(4, key.Length - i))).Append(' ');
        }

        return result.ToString().TrimEnd().ToLowerInvariant();
    }
}
