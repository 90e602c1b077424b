using System.Globalization;
using IdentityServer.MultiSession.Http;
using IdentityServer.MultiSession.Localization;
using IdentityServer.MultiSession.Sessions;
using IdpHost.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace IdpHost.Pages;

/// <summary>
/// The home page: who is signed in on this browser, the account picker, and "Sign out" (every account of the browser). With
/// <c>MultiSession:Enabled=false</c> there is no session service: the page shows the one account of Identity's cookie.
/// </summary>
public sealed class IndexModel(SignInManager<ApplicationUser> signIn, IStringLocalizer<MultiSessionText> text, IDeviceSessionService? sessions = null) : PageModel
{
    /// <summary><c>true</c> when the multi-session library serves this host.</summary>
    public bool MultiSession => sessions is not null;

    /// <summary><c>true</c> when an account is signed in.</summary>
    public bool SignedIn => Sessions.Count > 0 || (!MultiSession && User.Identity?.IsAuthenticated == true);

    /// <summary>The accounts on this browser.</summary>
    public IReadOnlyList<DeviceSession> Sessions { get; private set; } = [];

    /// <summary>The active account.</summary>
    public DeviceSession? Active => Sessions.FirstOrDefault(s => s.IsActive);

    /// <summary>A time as the user's culture writes it (in UTC, which the server knows the user's offset from no better).</summary>
    public string Format(DateTimeOffset time) => time.UtcDateTime.ToString("g", CultureInfo.CurrentCulture);

    /// <summary>Loads the accounts.</summary>
    public async Task OnGetAsync()
    {
        Response.PreventCaching();
        Sessions = sessions is null ? [] : await sessions.ListAsync(HttpContext, HttpContext.RequestAborted);
    }

    /// <summary>Signs every account of this browser out, and says so.</summary>
    public async Task<IActionResult> OnPostSignOutAsync()
    {
        if (sessions is not null)
        {
            await sessions.SignOutAsync(HttpContext, HttpContext.RequestAborted);
        }
        else
        {
            await signIn.SignOutAsync();
        }

        TempData[MultiSessionStatusViewComponent.TempDataKey] = text["Picker_AllSignedOut"].Value;
        return RedirectToPage();
    }
}
