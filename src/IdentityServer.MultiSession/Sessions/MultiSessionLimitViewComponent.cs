using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace IdentityServer.MultiSession.Sessions;

/// <summary>
/// Renders the limit-reached message with the device's accounts and a sign-out button for each, on the page that tried to sign
/// in (SPEC §3.3): <c>@await Component.InvokeAsync("MultiSessionLimit", new { returnUrl })</c>.
/// </summary>
[ViewComponent(Name = "MultiSessionLimit")]
public sealed class MultiSessionLimitViewComponent : ViewComponent
{
    private readonly IDeviceSessionService _sessions;
    private readonly ReturnUrlValidator _returnUrls;
    private readonly IOptionsMonitor<MultiSessionOptions> _options;

    /// <summary>Creates the component.</summary>
    public MultiSessionLimitViewComponent(IDeviceSessionService sessions, ReturnUrlValidator returnUrls, IOptionsMonitor<MultiSessionOptions> options)
    {
        _sessions = sessions;
        _returnUrls = returnUrls;
        _options = options;
    }

    /// <summary>Renders the message; <paramref name="returnUrl"/> is where each sign-out button returns (the login page).</summary>
    public async Task<IViewComponentResult> InvokeAsync(string? returnUrl)
    {
        var options = _options.CurrentValue;
        var sessions = await _sessions.ListAsync(HttpContext, HttpContext.RequestAborted);
        var action = $"{Request.PathBase}{options.PickerPath}?handler=SignOut";
        return View(new MultiSessionLimitViewModel(
            MultiSessionLimitReachedException.FormatMessage(options.MaximumSessions, sessions.Count),
            sessions,
            action,
            _returnUrls.Sanitize(returnUrl)));
    }
}
