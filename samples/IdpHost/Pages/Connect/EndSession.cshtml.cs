using IdentityServer.MultiSession.Authentication;
using IdentityServer.MultiSession.Authorization;
using IdentityServer.MultiSession.OpenIddict;
using IdentityServer.MultiSession.Sessions;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;

namespace IdpHost.Pages.Connect;

/// <summary>
/// OpenIddict's end-session endpoint (RP-initiated logout). A hint naming a session on this browser signs out at once; a request
/// without a hint, or whose hint names no session here, is suspect and asks the user first (SPEC §3.7, §4). With
/// <c>MultiSession:Enabled=false</c> (the single-account baseline) it signs the one account out of Identity's cookie.
/// </summary>
[IgnoreAntiforgeryToken]
[DeviceScopedAntiforgery]
public sealed class EndSessionModel(
    IAntiforgery antiforgery,
    OpenIddictMultiSessionAuthorization? multiSession = null,
    IDeviceSessionService? sessions = null) : PageModel
{
    private const string ConfirmField = "ms_confirm";

    /// <summary>The request's parameters, carried by the confirmation form.</summary>
    public IReadOnlyList<(string Name, string Value)> Parameters { get; private set; } = [];

    /// <summary>The accounts that would be signed out.</summary>
    public IReadOnlyList<DeviceSession> Sessions { get; private set; } = [];

    /// <summary>Handles a GET end-session request.</summary>
    public Task<IActionResult> OnGetAsync() => HandleAsync(confirm: null);

    /// <summary>Handles a POSTed end-session request, or the confirmation form.</summary>
    public async Task<IActionResult> OnPostAsync()
    {
        string? confirm = Request.HasFormContentType ? Request.Form[ConfirmField].ToString() : null;
        if (!string.IsNullOrEmpty(confirm))
        {
            if (!await antiforgery.IsRequestValidAsync(HttpContext))
            {
                return BadRequest("The confirmation form has expired. Go back to the application and sign out again.");
            }
        }

        return await HandleAsync(string.IsNullOrEmpty(confirm) ? null : confirm);
    }

    private async Task<IActionResult> HandleAsync(string? confirm)
    {
        Response.Headers.CacheControl = "no-store";
        if (multiSession is null || sessions is null)
        {
            await HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
            return SignOut(new AuthenticationProperties { RedirectUri = "/" }, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        }

        var decision = await multiSession.DecideEndSessionAsync(HttpContext, HttpContext.RequestAborted);
        if (decision.Kind == EndSessionDecisionKind.Confirm)
        {
            if (confirm == "no")
            {
                return Redirect("/");
            }

            if (confirm != "yes")
            {
                var request = HttpContext.GetOpenIddictServerRequest()!;
                Parameters = request.GetParameters()
                    .Where(p => p.Key is not ConfirmField and not "__RequestVerificationToken")
                    .Select(p => (p.Key, (string?)p.Value ?? string.Empty))
                    .ToList();
                Sessions = await sessions.ListAsync(HttpContext, HttpContext.RequestAborted);
                return Page();
            }
        }

        await multiSession.EndSessionAsync(HttpContext, decision, confirmed: confirm == "yes", HttpContext.RequestAborted);

        // OpenIddict redirects to the client's post_logout_redirect_uri when it is valid, else to the home page.
        return SignOut(new AuthenticationProperties { RedirectUri = "/" }, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }
}
