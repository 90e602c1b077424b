using IdpHost.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Localization;

namespace IdpHost.Pages.Account.Manage;

/// <summary>The active account's settings: password, two-factor authentication, external logins.</summary>
public sealed class IndexModel(UserManager<ApplicationUser> users, IDataProtectionProvider dataProtection, IStringLocalizer<IdentityTexts> texts)
    : ManagePageModel(users, dataProtection, texts)
{
    /// <summary><c>true</c> when two-factor authentication is on.</summary>
    public bool TwoFactorEnabled { get; private set; }

    /// <inheritdoc />
    protected override async Task OnLoadedAsync() => TwoFactorEnabled = await Users.GetTwoFactorEnabledAsync(CurrentUser);
}
