using IdpHost.Data;
using IdpHost.Identity;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace IdpHost.Pages.Account.Manage;

/// <summary>
/// The external logins linked to the active account, each with a remove button (kept when it is the account's only way to sign
/// in). Adding one needs an external provider configured in the host.
/// </summary>
public sealed class ExternalLoginsModel(
    UserManager<ApplicationUser> users,
    MultiAccountSignInManager signIn,
    IDataProtectionProvider dataProtection,
    IStringLocalizer<IdentityTexts> texts)
    : ManagePageModel(users, dataProtection, texts)
{
    /// <summary>The linked logins.</summary>
    public IReadOnlyList<UserLoginInfo> Logins { get; private set; } = [];

    /// <summary><c>true</c> when a login may be removed (the account keeps a password or another login).</summary>
    public bool CanRemove { get; private set; }

    /// <summary>The provider of the login to remove.</summary>
    [BindProperty]
    public string? LoginProvider { get; set; }

    /// <summary>The provider's key of the login to remove.</summary>
    [BindProperty]
    public string? ProviderKey { get; set; }

    /// <summary>Removes a login.</summary>
    public async Task<IActionResult> OnPostRemoveAsync()
    {
        if (await CheckPostAsync() is { } refused)
        {
            return refused;
        }

        await OnLoadedAsync();
        if (!CanRemove || !Logins.Any(l => l.LoginProvider == LoginProvider && l.ProviderKey == ProviderKey))
        {
            ErrorMessage = Texts["This login cannot be removed."];
            return Page();
        }

        var result = await Users.RemoveLoginAsync(CurrentUser, LoginProvider!, ProviderKey!);
        if (!result.Succeeded)
        {
            ErrorMessage = string.Join(" ", result.Errors.Select(e => e.Description));
            return Page();
        }

        await signIn.RefreshSignInAsync(CurrentUser);
        StatusMessage = Texts["The external login was removed."];
        await OnLoadedAsync();
        return Page();
    }

    /// <inheritdoc />
    protected override async Task OnLoadedAsync()
    {
        Logins = (await Users.GetLoginsAsync(CurrentUser)).ToList();
        CanRemove = await Users.HasPasswordAsync(CurrentUser) || Logins.Count > 1;
    }
}
