using IdentityServer.MultiSession.Authentication;
using IdpHost.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace IdpHost.Pages.Account.Manage;

/// <summary>
/// What the account-management pages share. They work on the browser's active account, and each form acts on the account it
/// was rendered for: the form carries that account's id, protected with Data Protection (and valid for two hours), and a post
/// made after another tab switched the active account is refused with a message instead of changing the wrong account.
/// Antiforgery tokens belong to the device (<see cref="DeviceScopedAntiforgeryAttribute"/>), so that such a post reaches this
/// check rather than failing with a bare 400.
/// </summary>
[DeviceScopedAntiforgery]
public abstract class ManagePageModel(
    UserManager<ApplicationUser> users,
    IDataProtectionProvider dataProtection,
    IStringLocalizer<IdentityTexts> texts) : PageModel
{
    private const string Purpose = "IdpHost.Pages.Account.Manage.Account";

    /// <summary>The protected id of the account the form was rendered for (posted back).</summary>
    [BindProperty(Name = "account")]
    public string? PostedAccount { get; set; }

    /// <summary>The account the page works on (the browser's active account).</summary>
    public ApplicationUser CurrentUser { get; private set; } = default!;

    /// <summary>The active account's principal (not <c>HttpContext.User</c>, which stays anonymous for the device-scoped antiforgery).</summary>
    public System.Security.Claims.ClaimsPrincipal Principal { get; private set; } = new();

    /// <summary>The value of each form's hidden <c>account</c> field.</summary>
    public string FormAccount => Protector.Protect(CurrentUser.Id, TimeSpan.FromHours(2));

    /// <summary>Why the post was refused, if it was.</summary>
    public string? RefusalMessage { get; private set; }

    /// <summary>A confirmation shown after a change.</summary>
    public string? StatusMessage { get; protected set; }

    /// <summary>A failure message.</summary>
    public string? ErrorMessage { get; protected set; }

    /// <summary>The texts.</summary>
    protected IStringLocalizer<IdentityTexts> Texts => texts;

    /// <summary>The user manager.</summary>
    protected UserManager<ApplicationUser> Users => users;

    private ITimeLimitedDataProtector Protector => dataProtection.CreateProtector(Purpose).ToTimeLimitedDataProtector();

    /// <summary>Shows the page for the active account (the login page when nobody is signed in).</summary>
    public async Task<IActionResult> OnGetAsync()
    {
        Response.Headers.CacheControl = "no-cache, no-store";
        if (!await LoadAsync())
        {
            return ChallengeLogin();
        }

        await OnLoadedAsync();
        return Page();
    }

    /// <summary>Runs after the account was loaded on GET (and on a refused post): fills the page.</summary>
    protected virtual Task OnLoadedAsync() => Task.CompletedTask;

    /// <summary>
    /// Loads the active account and checks that the form was rendered for it. <c>null</c> when the post may go on; otherwise
    /// the page to answer with (the login page, or this page with <see cref="RefusalMessage"/>).
    /// </summary>
    protected async Task<IActionResult?> CheckPostAsync()
    {
        Response.Headers.CacheControl = "no-cache, no-store";
        if (!await LoadAsync())
        {
            return ChallengeLogin();
        }

        string? postedUserId = null;
        try
        {
            postedUserId = PostedAccount is { Length: > 0 and < 2048 } ? Protector.Unprotect(PostedAccount) : null;
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            postedUserId = null;
        }

        if (postedUserId is null)
        {
            RefusalMessage = Texts["This form has expired. Nothing was changed: try again."];
        }
        else if (postedUserId != CurrentUser.Id)
        {
            var formUser = await users.FindByIdAsync(postedUserId);
            RefusalMessage = Texts[
                "This form was opened for {0}, but {1} is now the active account in this browser (another tab switched accounts). Nothing was changed: switch back to {0} and try again.",
                formUser?.Email ?? formUser?.UserName ?? "?",
                CurrentUser.Email ?? CurrentUser.UserName ?? string.Empty];
        }

        if (RefusalMessage is null)
        {
            return null;
        }

        IdpLog.AccountFormRefused(HttpContext.RequestServices.GetRequiredService<ILogger<ManagePageModel>>(), postedUserId, CurrentUser.Id);

        await OnLoadedAsync();
        return Page();
    }

    /// <summary>
    /// Identity's sign-in sets <c>HttpContext.User</c> to the account that signed in (<c>RefreshSignInAsync</c> included): the
    /// page is rendered anonymous again, so that its antiforgery tokens stay the device's.
    /// </summary>
    public override void OnPageHandlerExecuted(Microsoft.AspNetCore.Mvc.Filters.PageHandlerExecutedContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        HttpContext.User = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity());
    }

    private async Task<bool> LoadAsync()
    {
        var result = await HttpContext.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        var user = result.Succeeded ? await users.GetUserAsync(result.Principal) : null;
        if (user is null)
        {
            return false;
        }

        Principal = result.Principal!;
        CurrentUser = user;
        return true;
    }

    private ChallengeResult ChallengeLogin() =>
        Challenge(new AuthenticationProperties { RedirectUri = Request.Path }, IdentityConstants.ApplicationScheme);
}
