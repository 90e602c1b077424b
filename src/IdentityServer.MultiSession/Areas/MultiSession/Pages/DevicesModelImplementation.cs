using IdentityServer.MultiSession.Administration;
using IdentityServer.MultiSession.Http;
using IdentityServer.MultiSession.Localization;
using IdentityServer.MultiSession.Sessions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace IdentityServer.MultiSession.Areas.MultiSession.Pages;

/// <summary>"Your devices"' implementation behind the public <see cref="DevicesModel"/>.</summary>
internal sealed class DevicesModelImplementation : DevicesModel
{
    private readonly IDeviceSessionService _sessions;
    private readonly IOptionsMonitor<MultiSessionOptions> _options;
    private readonly IStringLocalizer<MultiSessionText> _text;

    public DevicesModelImplementation(IDeviceSessionService sessions, IOptionsMonitor<MultiSessionOptions> options, IStringLocalizer<MultiSessionText> text)
    {
        _sessions = sessions;
        _options = options;
        _text = text;
    }

    public override string Describe(UserDeviceSession session) => _text.DescribeDevice(session);

    public override async Task<IActionResult> OnGetAsync()
    {
        Response.PreventCaching();
        return await LoadAsync() ? Page() : SignInFirst();
    }

    public override async Task<IActionResult> OnPostSignOutAsync(string? account, string? sessionId)
    {
        Response.PreventCaching();
        if (!await LoadAsync())
        {
            return SignInFirst();
        }

        if (!string.Equals(account, Account!.UserId, StringComparison.Ordinal))
        {
            return Show(_text["Devices_AccountChanged"], StatusCodes.Status409Conflict);
        }

        var ending = Sessions.FirstOrDefault(s => string.Equals(s.SessionId, sessionId, StringComparison.Ordinal));
        if (ending is null || !await _sessions.SignOutDeviceAsync(Account, ending.SessionId, HttpContext.RequestAborted))
        {
            return Show(_text["Devices_NotFound"], StatusCodes.Status404NotFound);
        }

        TempData[MultiSessionStatusViewComponent.TempDataKey] = _text["Devices_SignedOutOne", Describe(ending)].Value;
        return LocalRedirect(Request.PathBase + MultiSessionDefaults.DevicesPath);
    }

    public override async Task<IActionResult> OnPostSignOutOthersAsync(string? account)
    {
        Response.PreventCaching();
        if (!await LoadAsync())
        {
            return SignInFirst();
        }

        if (!string.Equals(account, Account!.UserId, StringComparison.Ordinal))
        {
            return Show(_text["Devices_AccountChanged"], StatusCodes.Status409Conflict);
        }

        var count = await _sessions.SignOutOtherDevicesAsync(Account, HttpContext.RequestAborted);
        TempData[MultiSessionStatusViewComponent.TempDataKey] = _text["Devices_SignedOutOthers", count].Value;
        return LocalRedirect(Request.PathBase + MultiSessionDefaults.DevicesPath);
    }

    private async Task<bool> LoadAsync()
    {
        Account = await _sessions.FindActiveAccountAsync(HttpContext);
        if (Account is null)
        {
            return false;
        }

        Sessions = await _sessions.ListUserSessionsAsync(Account.UserId, HttpContext.RequestAborted);
        return true;
    }

    private PageResult Show(string message, int status)
    {
        Message = message;
        Response.StatusCode = status;
        return Page();
    }

    private LocalRedirectResult SignInFirst()
    {
        return LocalRedirect(LoginUrl.Build(_options.CurrentValue, Request.PathBase, Request.PathBase + MultiSessionDefaults.DevicesPath));
    }
}
