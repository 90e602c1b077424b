using IdentityServer.MultiSession.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace IdentityServer.MultiSession.Sessions;

/// <summary>
/// Renders the limit-reached message with the device's accounts (as the picker shows them) and a sign-out button for each, on
/// the page that tried to sign in: <c>@await Component.InvokeAsync("MultiSessionLimit", new { returnUrl, userName })</c>.
/// </summary>
[ViewComponent(Name = "MultiSessionLimit")]
public sealed class MultiSessionLimitViewComponent : ViewComponent
{
    private readonly IDeviceSessionService _sessions;
    private readonly ReturnUrlValidator _returnUrls;
    private readonly IOptionsMonitor<MultiSessionOptions> _options;
    private readonly IStringLocalizer<MultiSessionText> _text;

    /// <summary>Creates the component.</summary>
    public MultiSessionLimitViewComponent(IDeviceSessionService sessions, ReturnUrlValidator returnUrls, IOptionsMonitor<MultiSessionOptions> options, IStringLocalizer<MultiSessionText> text)
    {
        _sessions = sessions;
        _returnUrls = returnUrls;
        _options = options;
        _text = text;
    }

    /// <summary>
    /// Renders the message; <paramref name="returnUrl"/> is where each sign-out button returns (the login page), and
    /// <paramref name="userName"/>, what the user typed in the login form, comes back with it as the login hint.
    /// </summary>
    public async Task<IViewComponentResult> InvokeAsync(string? returnUrl, string? userName = null)
    {
        var options = _options.CurrentValue;
        var sessions = await _sessions.ListAsync(HttpContext, HttpContext.RequestAborted);
        var action = $"{Request.PathBase}{options.PickerPath}?handler=SignOut";
        var back = _returnUrls.Sanitize(returnUrl);
        if (userName is { Length: > 0 and <= 256 })
        {
            back = QueryHelpers.AddQueryString(back, MultiSessionDefaults.LoginHintParameter, userName);
        }

        // Above a lowered limit the message states the real numbers: how many are signed in, the limit, how many to sign out.
        var message = sessions.Count > options.MaximumSessions
            ? _text["Limit_MessageLowered", sessions.Count, options.MaximumSessions, sessions.Count - options.MaximumSessions + 1].Value
            : options.MaximumSessions == 1 ? _text["Limit_MessageOne"].Value : _text["Limit_Message", options.MaximumSessions].Value;
        return View(new MultiSessionLimitViewModel(message, sessions, action, back));
    }
}
