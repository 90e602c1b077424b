using System.Globalization;
using System.Text.Json;
using IdpHost.Data;
using IdpHost.Identity;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Localization;

namespace IdpHost.Pages.Account.Manage;

/// <summary>
/// The active account's passkeys: the list (name and date added), add one (<c>wwwroot/js/passkey-manage.js</c> asks
/// <see cref="OnPostCreationOptionsAsync"/> for WebAuthn creation options, runs <c>navigator.credentials.create()</c> and posts
/// the answer to <see cref="OnPostAddAsync"/>), rename and remove. Every form, the creation options' request included, acts
/// on the account it was rendered for only (<see cref="ManagePageModel"/>), and a registration ceremony started for one
/// account never stores a passkey for another. The last passkey of an account without a password or external login is kept.
/// </summary>
public sealed class PasskeysModel(
    UserManager<ApplicationUser> users,
    MultiAccountSignInManager signIn,
    IDataProtectionProvider dataProtection,
    IStringLocalizer<IdentityTexts> texts,
    IStringLocalizer<PasskeyTexts> passkeyTexts,
    ILogger<PasskeysModel> logger)
    : ManagePageModel(users, dataProtection, texts)
{
    /// <summary>The longest passkey name.</summary>
    public const int MaximumNameLength = 100;

    /// <summary>The account's passkeys, oldest first.</summary>
    public IReadOnlyList<UserPasskeyInfo> Passkeys { get; private set; } = [];

    /// <summary><c>true</c> when a passkey may be removed (the account keeps another way to sign in).</summary>
    public bool CanRemove { get; private set; }

    /// <summary>The passkey to rename or remove: its credential id, base64url.</summary>
    [BindProperty]
    public string? CredentialId { get; set; }

    /// <summary>The name of the new passkey, or the new name.</summary>
    [BindProperty]
    public string? Name { get; set; }

    /// <summary>The authenticator's answer to the registration ceremony (WebAuthn's JSON form).</summary>
    [BindProperty]
    public string? PasskeyCredential { get; set; }

    /// <summary>The id of the pending registration ceremony.</summary>
    [BindProperty]
    public string? PasskeyAttempt { get; set; }

    /// <summary>A credential id as the forms carry it.</summary>
    public static string FormId(UserPasskeyInfo passkey) => WebEncoders.Base64UrlEncode(passkey?.CredentialId ?? []);

    /// <summary>Starts adding a passkey: <c>{ "attempt": id, "options": WebAuthn creation options }</c>; 409 when the form is refused.</summary>
    public async Task<IActionResult> OnPostCreationOptionsAsync()
    {
        if (await CheckPostAsync() is not null)
        {
            // The script then posts the form itself, and the page says why it was refused.
            return new ConflictResult();
        }

        var ceremony = await signIn.StartPasskeyRegistrationAsync(CurrentUser);
        return Content($"{{\"attempt\":{JsonSerializer.Serialize(ceremony.AttemptId)},\"options\":{ceremony.OptionsJson}}}", "application/json");
    }

    /// <summary>Stores the new passkey.</summary>
    public async Task<IActionResult> OnPostAddAsync()
    {
        if (await CheckPostAsync() is { } refused)
        {
            return refused;
        }

        var name = await NameOrDefaultAsync();
        if (name is null)
        {
            return await ShowAsync(error: passkeyTexts["A passkey name has at most {0} characters.", MaximumNameLength]);
        }

        var passkey = await signIn.AddPasskeyAsync(CurrentUser, PasskeyCredential, PasskeyAttempt, name);
        if (passkey is null)
        {
            IdpLog.PasskeyNotAdded(logger, CurrentUser.Id);
            return await ShowAsync(error: passkeyTexts["The passkey was not added. Try again."]);
        }

        IdpLog.PasskeyAdded(logger, CurrentUser.Id);
        await signIn.RefreshSignInAsync(CurrentUser);
        return await ShowAsync(status: passkeyTexts["The passkey {0} was added.", name]);
    }

    /// <summary>Renames a passkey.</summary>
    public async Task<IActionResult> OnPostRenameAsync()
    {
        if (await CheckPostAsync() is { } refused)
        {
            return refused;
        }

        var passkey = await FindAsync();
        var name = Name?.Trim();
        if (passkey is null)
        {
            return await ShowAsync(error: passkeyTexts["This passkey is not one of this account's."]);
        }

        if (string.IsNullOrEmpty(name) || name.Length > MaximumNameLength)
        {
            return await ShowAsync(error: passkeyTexts["A passkey name has at most {0} characters.", MaximumNameLength]);
        }

        passkey.Name = name;
        var result = await Users.AddOrUpdatePasskeyAsync(CurrentUser, passkey);
        if (!result.Succeeded)
        {
            return await ShowAsync(error: string.Join(" ", result.Errors.Select(e => e.Description)));
        }

        IdpLog.PasskeyRenamed(logger, CurrentUser.Id);
        await signIn.RefreshSignInAsync(CurrentUser);
        return await ShowAsync(status: passkeyTexts["The passkey was renamed to {0}.", name]);
    }

    /// <summary>Removes a passkey.</summary>
    public async Task<IActionResult> OnPostRemoveAsync()
    {
        if (await CheckPostAsync() is { } refused)
        {
            return refused;
        }

        await OnLoadedAsync();
        var passkey = await FindAsync();
        if (passkey is null || !CanRemove)
        {
            return await ShowAsync(error: passkeyTexts["This passkey cannot be removed: it is this account's only way to sign in."]);
        }

        var result = await Users.RemovePasskeyAsync(CurrentUser, passkey.CredentialId);
        if (!result.Succeeded)
        {
            return await ShowAsync(error: string.Join(" ", result.Errors.Select(e => e.Description)));
        }

        IdpLog.PasskeyRemoved(logger, CurrentUser.Id);
        await signIn.RefreshSignInAsync(CurrentUser);
        return await ShowAsync(status: passkeyTexts["The passkey {0} was removed.", passkey.Name ?? string.Empty]);
    }

    /// <inheritdoc />
    protected override async Task OnLoadedAsync()
    {
        Passkeys = (await Users.GetPasskeysAsync(CurrentUser)).OrderBy(p => p.CreatedAt).ToList();
        CanRemove = Passkeys.Count > 1
            || await Users.HasPasswordAsync(CurrentUser)
            || (await Users.GetLoginsAsync(CurrentUser)).Count > 0;
    }

    private async Task<IActionResult> ShowAsync(string? status = null, string? error = null)
    {
        StatusMessage = status;
        ErrorMessage = error;
        Name = null;
        await OnLoadedAsync();
        return Page();
    }

    private async Task<UserPasskeyInfo?> FindAsync()
    {
        if (CredentialId is not { Length: > 0 and <= 2048 })
        {
            return null;
        }

        byte[] id;
        try
        {
            id = WebEncoders.Base64UrlDecode(CredentialId);
        }
        catch (FormatException)
        {
            return null;
        }

        return await Users.GetPasskeyAsync(CurrentUser, id);
    }

    private async Task<string?> NameOrDefaultAsync()
    {
        var name = Name?.Trim();
        if (string.IsNullOrEmpty(name))
        {
            var count = (await Users.GetPasskeysAsync(CurrentUser)).Count;
            return passkeyTexts["Passkey {0}", (count + 1).ToString(CultureInfo.CurrentCulture)];
        }

        return name.Length <= MaximumNameLength ? name : null;
    }
}
