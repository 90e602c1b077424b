using IdentityServer.MultiSession.Authentication;
using IdentityServer.MultiSession.Http;
using IdentityServer.MultiSession.Sessions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityServer.MultiSession.Areas.MultiSession.Pages;

/// <summary>
/// "Your devices": every session of the device's active account, on every device, this one marked; sign out of one other
/// device, or of all other devices. Each form names the account it was rendered for: when another tab has made another
/// account active meanwhile, nothing is ended and the page says so. This public type is what the page renders, for a host
/// that keeps its own copy of <c>Areas/MultiSession/Pages/Devices.cshtml</c>; the library's internal implementation does the
/// work.
/// </summary>
[DeviceScopedAntiforgery]
[PageImplementationType(typeof(DevicesModelImplementation))]
public abstract class DevicesModel : PageModel
{
    private protected DevicesModel()
    {
    }

    /// <summary>The account whose devices are listed: the active account of this browser.</summary>
    public DeviceSession? Account { get; private protected set; }

    /// <summary>The account's sessions on every device, most recently used first.</summary>
    public IReadOnlyList<UserDeviceSession> Sessions { get; private protected set; } = [];

    /// <summary>A message for the user (a session already ended, the active account changed).</summary>
    public string? Message { get; private protected set; }

    /// <summary><c>true</c> for the session of this browser.</summary>
    public bool IsCurrent(UserDeviceSession session) => session?.SessionId == Account?.SessionId;

    /// <summary>"Chrome on Windows", in the page's language.</summary>
    public abstract string Describe(UserDeviceSession session);

    /// <summary>Shows the devices, or sends a browser without an active account to the login page. (Page handler, implemented by the library.)</summary>
    public virtual Task<IActionResult> OnGetAsync() => throw new NotSupportedException();

    /// <summary>Signs the account out of one device. (Page handler, implemented by the library.)</summary>
    public virtual Task<IActionResult> OnPostSignOutAsync(string? account, string? sessionId) => throw new NotSupportedException();

    /// <summary>Signs the account out of every device but this one. (Page handler, implemented by the library.)</summary>
    public virtual Task<IActionResult> OnPostSignOutOthersAsync(string? account) => throw new NotSupportedException();
}
