using IdpHost.Data;
using IdpHost.Identity;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace IdpHost.Pages.Account.Manage;

/// <summary>
/// The external logins linked to the active account, each with a remove button (kept when it is the account's only way to sign
/// in), and a button for each configured provider not linked yet. Linking goes to the provider and back to
/// <see cref="OnGetLinkCallbackAsync"/>; both steps act on the account the form was rendered for: the post is checked like every
/// form of these pages, and the way back carries the same protected account, and the provider's answer is bound to that account
/// (Identity's external-login check), so a tab that switched accounts meanwhile makes the link fail rather than land on another
/// account.
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

    /// <summary>The configured providers not linked to this account yet.</summary>
    public IReadOnlyList<Microsoft.AspNetCore.Authentication.AuthenticationScheme> OtherProviders { get; private set; } = [];

    /// <summary>Goes to the provider to link it to the account the form was rendered for.</summary>
    public async Task<IActionResult> OnPostLinkAsync()
    {
        if (await CheckPostAsync() is { } refused)
        {
            return refused;
        }

        await OnLoadedAsync();
        var scheme = OtherProviders.FirstOrDefault(p => string.Equals(p.Name, LoginProvider, StringComparison.Ordinal));
        if (scheme is null)
        {
            ErrorMessage = Texts["This provider cannot be linked."];
            return Page();
        }

        // Identity's external-login state carries the account's id (checked on the way back), the URL this form's account.
        var callback = Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(
            "/Account/Manage/ExternalLogins", new Dictionary<string, string?> { ["handler"] = "LinkCallback", ["account"] = FormAccount });
        var properties = signIn.ConfigureExternalAuthenticationProperties(scheme.Name, callback, CurrentUser.Id);
        return Challenge(properties, scheme.Name);
    }

    /// <summary>Back from the provider: links its login to the account the form was rendered for.</summary>
    public async Task<IActionResult> OnGetLinkCallbackAsync([FromQuery(Name = "account")] string? account)
    {
        PostedAccount = account;
        if (await CheckPostAsync() is { } refused)
        {
            await HttpContext.SignOutAsync(IdentityConstants.ExternalScheme);
            return refused;
        }

        var info = await signIn.GetExternalLoginInfoAsync(CurrentUser.Id);
        await HttpContext.SignOutAsync(IdentityConstants.ExternalScheme);
        if (info is null)
        {
            ErrorMessage = Texts["This sign-in has expired, was cancelled or was already finished. Sign in again."];
            await OnLoadedAsync();
            return Page();
        }

        if (await Users.FindByLoginAsync(info.LoginProvider, info.ProviderKey) is { } owner)
        {
            if (owner.Id != CurrentUser.Id)
            {
                IdpHost.IdpLog.ExternalLoginOwnedByAnother(HttpContext.RequestServices.GetRequiredService<ILogger<ExternalLoginsModel>>(), info.LoginProvider, owner.Id, CurrentUser.Id);
            }

            ErrorMessage = owner.Id == CurrentUser.Id
                ? Texts["This login is already linked to this account."]
                : Texts["This login is already linked to another account."];
            await OnLoadedAsync();
            return Page();
        }

        var result = await Users.AddLoginAsync(CurrentUser, info);
        if (!result.Succeeded)
        {
            ErrorMessage = string.Join(" ", result.Errors.Select(e => e.Description));
            await OnLoadedAsync();
            return Page();
        }

        IdpHost.IdpLog.ExternalLoginAdded(HttpContext.RequestServices.GetRequiredService<ILogger<ExternalLoginsModel>>(), info.LoginProvider, CurrentUser.Id);
        await signIn.RefreshSignInAsync(CurrentUser);
        StatusMessage = Texts["The external login was added."];
        await OnLoadedAsync();
        return Page();
    }

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
        OtherProviders = (await signIn.GetExternalAuthenticationSchemesAsync())
            .Where(p => !Logins.Any(l => l.LoginProvider == p.Name))
            .ToList();
    }
}
