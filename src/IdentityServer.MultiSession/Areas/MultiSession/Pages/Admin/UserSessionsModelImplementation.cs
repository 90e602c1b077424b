using IdentityServer.MultiSession.Administration;
using IdentityServer.MultiSession.Http;
using IdentityServer.MultiSession.Localization;
using IdentityServer.MultiSession.Sessions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace IdentityServer.MultiSession.Areas.MultiSession.Pages.Admin;

/// <summary>The administrator's page of one user's sessions: the implementation behind the public <see cref="UserSessionsModel"/>.</summary>
internal sealed class UserSessionsModelImplementation : UserSessionsModel
{
    private readonly IMultiSessionUserDirectory _users;
    private readonly IDeviceSessionService _sessions;
    private readonly IStringLocalizer<MultiSessionText> _text;

    public UserSessionsModelImplementation(IMultiSessionUserDirectory users, IDeviceSessionService sessions, IStringLocalizer<MultiSessionText> text)
    {
        _users = users;
        _sessions = sessions;
        _text = text;
    }

    public override string TargetName => TargetUser is null ? string.Empty
        : TargetUser.Email is null ? TargetUser.DisplayName ?? TargetUser.UserName ?? TargetUser.Id
        : _text["Picker_NameAndEmail", TargetUser.DisplayName ?? TargetUser.UserName ?? TargetUser.Id, TargetUser.Email].Value;

    public override string Describe(UserDeviceSession session) => _text.DescribeDevice(session);

    public override async Task<IActionResult> OnGetAsync()
    {
        Response.PreventCaching();
        return await LoadAsync() ? Page() : NotFound();
    }

    public override async Task<IActionResult> OnPostRevokeAsync(string? sessionId)
    {
        Response.PreventCaching();
        if (!await FindTargetUserAsync())
        {
            return NotFound();
        }

        if (!await _sessions.RevokeAsAdministratorAsync(TargetUser!, sessionId, HttpContext.RequestAborted))
        {
            // Only a page that is shown lists the sessions; a successful revoke redirects.
            Sessions = await _sessions.ListUserSessionsAsync(TargetUser!.Id, HttpContext.RequestAborted);
            Message = _text["Devices_NotFound"].Value;
            Response.StatusCode = StatusCodes.Status404NotFound;
            return Page();
        }

        TempData[MultiSessionStatusViewComponent.TempDataKey] = _text["Admin_Revoked"].Value;
        return LocalRedirect(SelfUrl);
    }

    public override async Task<IActionResult> OnPostRevokeAllAsync()
    {
        Response.PreventCaching();
        if (!await FindTargetUserAsync())
        {
            return NotFound();
        }

        var count = await _sessions.RevokeAllAsAdministratorAsync(TargetUser!, HttpContext.RequestAborted);
        TempData[MultiSessionStatusViewComponent.TempDataKey] = _text["Admin_RevokedAll", count].Value;
        return LocalRedirect(SelfUrl);
    }

    private string SelfUrl => Request.PathBase + MultiSessionDefaults.AdministrationPath + "/User?id=" + Uri.EscapeDataString(TargetUser!.Id);

    private async Task<bool> FindTargetUserAsync()
    {
        TargetUser = await _users.FindTargetUserAsync(Id, HttpContext.RequestAborted);
        return TargetUser is not null;
    }

    private async Task<bool> LoadAsync()
    {
        if (!await FindTargetUserAsync())
        {
            return false;
        }

        Sessions = await _sessions.ListUserSessionsAsync(TargetUser!.Id, HttpContext.RequestAborted);
        return true;
    }
}
