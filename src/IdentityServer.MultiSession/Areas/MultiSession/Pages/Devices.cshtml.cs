using IdentityServer.MultiSession.Administration;
using IdentityServer.MultiSession.Authentication;
using IdentityServer.MultiSession.Http;
using IdentityServer.MultiSession.Localization;
using IdentityServer.MultiSession.Sessions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace IdentityServer.MultiSession.Areas.MultiSession.Pages;

/// <summary>
/// "Your devices": every session of the device's active account, on every device, this one marked; sign out of one other
/// device, or of all other devices. Each form names the account it was rendered for: when another tab has made another
/// account active meanwhile, nothing is ended and the page says so.
/// </summary>
[DeviceScopedAntiforgery]
public class DevicesModel : PageModel
{
    private readonly IDeviceSessionService _sessions;
    private readonly IOptionsMonitor<MultiSessionOptions> _options;
    private readonly IStringLocalizer<MultiSessionText> _text;

    /// <summary>Creates the page.</summary>
    public DevicesModel(IDeviceSessionService sessions, IOptionsMonitor<MultiSessionOptions> options, IStringLocalizer<MultiSessionText> text)
    {
        _sessions = sessions;
        _options = options;
        _text = text;
    }

    /// <summary>The account whose devices are listed: the active account of this browser.</summary>
    public DeviceSession? Account { get; private set; }

    /// <summary>The account's sessions on every device, most recently used first.</summary>
    public IReadOnlyList<UserDeviceSession> Sessions { get; private set; } = [];

    /// <summary>A message for the user (a session already ended, the active account changed).</summary>
    public string? Message { get; private set; }

    /// <summary><c>true</c> for the session of this browser.</summary>
    public bool IsCurrent(UserDeviceSession session) => session?.SessionId == Account?.SessionId;

    /// <summary>"Chrome on Windows", in the page's language.</summary>
    public string Describe(UserDeviceSession session) => _text.DescribeDevice(session);

    /// <summary>Shows the devices, or sends a browser without an active account to the login page.</summary>
    public async Task<IActionResult> OnGetAsync()
    {
        Response.PreventCaching();
        return await LoadAsync() ? Page() : SignInFirst();
    }

    /// <summary>Signs the account out of one device (any but this one works; this one is the picker's job, but allowed).</summary>
    public async Task<IActionResult> OnPostSignOutAsync(string? account, string? sessionId)
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

    /// <summary>Signs the account out of every device but this one.</summary>
    public async Task<IActionResult> OnPostSignOutOthersAsync(string? account)
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
