using IdpHost.Data;
using IdpHost.Identity;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace IdpHost.Pages.Account.Manage;

/// <summary>
/// Changes the active account's password. The change renews the account's security stamp (its sessions on other devices end);
/// this browser's session is refreshed with <c>RefreshSignInAsync</c> and keeps its <c>sid</c> and <c>auth_time</c>.
/// </summary>
public sealed class ChangePasswordModel(
    UserManager<ApplicationUser> users,
    MultiAccountSignInManager signIn,
    IDataProtectionProvider dataProtection,
    IStringLocalizer<IdentityTexts> texts)
    : ManagePageModel(users, dataProtection, texts)
{
    /// <summary>The current password.</summary>
    [BindProperty]
    public string? OldPassword { get; set; }

    /// <summary>The new password.</summary>
    [BindProperty]
    public string? NewPassword { get; set; }

    /// <summary>The new password again.</summary>
    [BindProperty]
    public string? ConfirmPassword { get; set; }

    /// <summary>Changes the password.</summary>
    public async Task<IActionResult> OnPostAsync()
    {
        if (await CheckPostAsync() is { } refused)
        {
            return refused;
        }

        if (string.IsNullOrEmpty(OldPassword) || string.IsNullOrEmpty(NewPassword) || NewPassword != ConfirmPassword)
        {
            ErrorMessage = Texts["Enter your current password and the new password twice."];
            return Page();
        }

        var result = await Users.ChangePasswordAsync(CurrentUser, OldPassword, NewPassword);
        if (!result.Succeeded)
        {
            ErrorMessage = string.Join(" ", result.Errors.Select(e => e.Description));
            return Page();
        }

        await signIn.RefreshSignInAsync(CurrentUser);
        StatusMessage = Texts["Your password has been changed."];
        return Page();
    }
}
