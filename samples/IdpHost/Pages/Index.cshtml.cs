using IdentityServer.MultiSession.Sessions;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdpHost.Pages;

/// <summary>
/// The home page: who is signed in on this browser, and a link to the account picker (SPEC §9). With
/// <c>MultiSession:Enabled=false</c> there is no session service: the page shows the one account of Identity's cookie.
/// </summary>
public sealed class IndexModel(IDeviceSessionService? sessions = null) : PageModel
{
    /// <summary><c>true</c> when the multi-session library serves this host.</summary>
    public bool MultiSession => sessions is not null;

    /// <summary><c>true</c> when an account is signed in.</summary>
    public bool SignedIn => Sessions.Count > 0 || (!MultiSession && User.Identity?.IsAuthenticated == true);

    /// <summary>The accounts on this browser.</summary>
    public IReadOnlyList<DeviceSession> Sessions { get; private set; } = [];

    /// <summary>The active account.</summary>
    public DeviceSession? Active => Sessions.FirstOrDefault(s => s.IsActive);

    /// <summary>Loads the accounts.</summary>
    public async Task OnGetAsync()
    {
        Response.Headers.CacheControl = "no-store";
        Sessions = sessions is null ? [] : await sessions.ListAsync(HttpContext, HttpContext.RequestAborted);
    }
}
