using IdentityServer.MultiSession.Administration;
using IdentityServer.MultiSession.Http;
using IdentityServer.MultiSession.Localization;
using IdentityServer.MultiSession.Sessions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace IdentityServer.MultiSession.Areas.MultiSession.Pages.Admin;

/// <summary>
/// One user's sessions on every device, for an administrator: browser, sign-in, last use, clients; end one or all (each like
/// every revocation: tokens revoked, back-channel logout queued). Guarded by <see cref="MultiSessionOptions.AdministrationPolicy"/>.
/// </summary>
[MultiSessionAdministration]
public class UserSessionsModel : PageModel
{
    private readonly IMultiSessionUserDirectory _users;
    private readonly IDeviceSessionService _sessions;
    private readonly IStringLocalizer<MultiSessionText> _text;

    /// <summary>Creates the page.</summary>
    public UserSessionsModel(IMultiSessionUserDirectory users, IDeviceSessionService sessions, IStringLocalizer<MultiSessionText> text)
    {
        _users = users;
        _sessions = sessions;
        _text = text;
    }

    /// <summary>The user id.</summary>
    [BindProperty(SupportsGet = true, Name = "id")]
    public string? Id { get; set; }

    /// <summary>The user, or <c>null</c> when the id names none.</summary>
    public MultiSessionUser? TargetUser { get; private set; }

    /// <summary>The user's sessions on every device.</summary>
    public IReadOnlyList<UserDeviceSession> Sessions { get; private set; } = [];

    /// <summary>A message (a session that had already ended).</summary>
    public string? Message { get; private set; }

    /// <summary>The user's name for headings.</summary>
    public string TargetName => TargetUser is null ? string.Empty
        : TargetUser.Email is null ? TargetUser.DisplayName ?? TargetUser.UserName ?? TargetUser.Id
        : _text["Picker_NameAndEmail", TargetUser.DisplayName ?? TargetUser.UserName ?? TargetUser.Id, TargetUser.Email].Value;

    /// <summary>"Chrome on Windows", in the page's language.</summary>
    public string Describe(UserDeviceSession session) => _text.DescribeDevice(session);

    /// <summary>Shows the user's sessions; 404 when the id names no user.</summary>
    public async Task<IActionResult> OnGetAsync()
    {
        Response.PreventCaching();
        return await LoadAsync() ? Page() : NotFound();
    }

    /// <summary>Ends one session of the user.</summary>
    public async Task<IActionResult> OnPostRevokeAsync(string? sessionId)
    {
        Response.PreventCaching();
        if (!await LoadAsync())
        {
            return NotFound();
        }

        if (!await _sessions.RevokeAsAdministratorAsync(TargetUser!, sessionId, HttpContext.RequestAborted))
        {
            Message = _text["Devices_NotFound"].Value;
            Response.StatusCode = StatusCodes.Status404NotFound;
            return Page();
        }

        TempData[MultiSessionStatusViewComponent.TempDataKey] = _text["Admin_Revoked"].Value;
        return LocalRedirect(SelfUrl);
    }

    /// <summary>Ends every session of the user, on every device.</summary>
    public async Task<IActionResult> OnPostRevokeAllAsync()
    {
        Response.PreventCaching();
        if (!await LoadAsync())
        {
            return NotFound();
        }

        var count = await _sessions.RevokeAllAsAdministratorAsync(TargetUser!, HttpContext.RequestAborted);
        TempData[MultiSessionStatusViewComponent.TempDataKey] = _text["Admin_RevokedAll", count].Value;
        return LocalRedirect(SelfUrl);
    }

    private string SelfUrl => Request.PathBase + MultiSessionDefaults.AdministrationPath + "/User?id=" + Uri.EscapeDataString(TargetUser!.Id);

    private async Task<bool> LoadAsync()
    {
        TargetUser = await _users.FindTargetUserAsync(Id, HttpContext.RequestAborted);
        if (TargetUser is null)
        {
            return false;
        }

        Sessions = await _sessions.ListUserSessionsAsync(TargetUser.Id, HttpContext.RequestAborted);
        return true;
    }
}
