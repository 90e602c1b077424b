using IdentityServer.MultiSession.Administration;
using IdentityServer.MultiSession.Http;
using IdentityServer.MultiSession.Sessions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityServer.MultiSession.Areas.MultiSession.Pages.Admin;

/// <summary>
/// One user's sessions on every device, for an administrator: browser, sign-in, last use, clients; end one or all (each like
/// every revocation: tokens revoked, back-channel logout queued). Guarded by <see cref="MultiSessionOptions.AdministrationPolicy"/>.
/// This public type is what the page renders, for a host that keeps its own copy of
/// <c>Areas/MultiSession/Pages/Admin/User.cshtml</c>; the library's internal implementation does the work.
/// </summary>
[MultiSessionAdministration]
[PageImplementationType(typeof(UserSessionsModelImplementation))]
public abstract class UserSessionsModel : PageModel
{
    private protected UserSessionsModel()
    {
    }

    /// <summary>The user id.</summary>
    [BindProperty(SupportsGet = true, Name = "id")]
    public string? Id { get; set; }

    /// <summary>The user, or <c>null</c> when the id names none.</summary>
    public MultiSessionUser? TargetUser { get; private protected set; }

    /// <summary>The user's sessions on every device.</summary>
    public IReadOnlyList<UserDeviceSession> Sessions { get; private protected set; } = [];

    /// <summary>A message (a session that had already ended).</summary>
    public string? Message { get; private protected set; }

    /// <summary>The user's name for headings.</summary>
    public abstract string TargetName { get; }

    /// <summary>"Chrome on Windows", in the page's language.</summary>
    public abstract string Describe(UserDeviceSession session);

    /// <summary>Shows the user's sessions; 404 when the id names no user. (Page handler, implemented by the library.)</summary>
    public virtual Task<IActionResult> OnGetAsync() => throw new NotSupportedException();

    /// <summary>Ends one session of the user. (Page handler, implemented by the library.)</summary>
    public virtual Task<IActionResult> OnPostRevokeAsync(string? sessionId) => throw new NotSupportedException();

    /// <summary>Ends every session of the user, on every device. (Page handler, implemented by the library.)</summary>
    public virtual Task<IActionResult> OnPostRevokeAllAsync() => throw new NotSupportedException();
}
