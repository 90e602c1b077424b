using IdentityServer.MultiSession.Authentication;
using IdentityServer.MultiSession.Authorization;
using IdentityServer.MultiSession.Sessions;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.DependencyInjection;
using OpenIddict.Server.AspNetCore;

namespace IdentityServer.MultiSession.OpenIddict;

/// <summary>
/// The page behind OpenIddict's end-session endpoint (RP-initiated logout), <c>Areas/MultiSession/Pages/EndSession</c>, routed
/// at the end-session endpoint's path by <c>AddOpenIddictIntegration()</c>. A hint naming a session on this browser signs out
/// at once; a request without a hint, or whose hint names no session here, is suspect and asks the user first (nothing ends
/// silently). Then OpenIddict returns to the client's registered <c>post_logout_redirect_uri</c>, or to the home page.
/// </summary>
[IgnoreAntiforgeryToken]
[DeviceScopedAntiforgery]
public sealed class EndSessionModel : PageModel
{
    private const string ConfirmField = "ms_confirm";

    /// <summary>The request's parameters, carried by the confirmation form.</summary>
    public IReadOnlyList<(string Name, string Value)> Parameters { get; private set; } = [];

    /// <summary>The accounts that would be signed out.</summary>
    public IReadOnlyList<DeviceSession> Sessions { get; private set; } = [];

    /// <summary>Handles a GET end-session request.</summary>
    public Task<IActionResult> OnGetAsync() => HandleAsync(confirm: null);

    /// <summary>Handles a POSTed end-session request, or the confirmation form (which carries an antiforgery token).</summary>
    public async Task<IActionResult> OnPostAsync()
    {
        string? confirm = Request.HasFormContentType ? Request.Form[ConfirmField].ToString() : null;
        if (!string.IsNullOrEmpty(confirm)
            && !await HttpContext.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(HttpContext))
        {
            return BadRequest("The confirmation form has expired. Go back to the application and sign out again.");
        }

        return await HandleAsync(string.IsNullOrEmpty(confirm) ? null : confirm);
    }

    private async Task<IActionResult> HandleAsync(string? confirm)
    {
        // Reached outside OpenIddict's end-session endpoint (the page's default area route), there is no request to answer.
        var request = HttpContext.GetOpenIddictServerRequest();
        var multiSession = HttpContext.RequestServices.GetService<OpenIddictMultiSessionAuthorization>();
        if (request is null || multiSession is null)
        {
            return NotFound();
        }

        Response.Headers.CacheControl = "no-store";
        var decision = await multiSession.DecideEndSessionAsync(HttpContext, HttpContext.RequestAborted);
        if (decision.Kind == EndSessionDecisionKind.Confirm)
        {
            if (confirm == "no")
            {
                return Redirect("/");
            }

            if (confirm != "yes")
            {
                Parameters = request.GetParameters()
                    .Where(p => p.Key is not ConfirmField and not "__RequestVerificationToken")
                    .Select(p => (p.Key, (string?)p.Value ?? string.Empty))
                    .ToList();
                Sessions = await HttpContext.RequestServices.GetRequiredService<IDeviceSessionService>().ListAsync(HttpContext, HttpContext.RequestAborted);
                return Page();
            }
        }

        await multiSession.EndSessionAsync(HttpContext, decision, confirmed: confirm == "yes", HttpContext.RequestAborted);

        // OpenIddict redirects to the client's post_logout_redirect_uri when it is valid, else to the home page.
        return SignOut(new AuthenticationProperties { RedirectUri = "/" }, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }
}
