using IdentityServer.MultiSession.Sessions;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdpHost.Pages;

/// <summary>The home page: who is signed in on this browser, and a link to the account picker (SPEC §9).</summary>
public sealed class IndexModel(IDeviceSessionService sessions) : PageModel
{
    /// <summary>The accounts on this browser.</summary>
    public IReadOnlyList<DeviceSession> Sessions { get; private set; } = [];

    /// <summary>The active account.</summary>
    public DeviceSession? Active => Sessions.FirstOrDefault(s => s.IsActive);

    /// <summary>Loads the accounts.</summary>
    public async Task OnGetAsync()
    {
        Response.Headers.CacheControl = "no-store";
        Sessions = await sessions.ListAsync(HttpContext, HttpContext.RequestAborted);
    }
}
