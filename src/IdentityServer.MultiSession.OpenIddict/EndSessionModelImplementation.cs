using System.Globalization;
using IdentityServer.MultiSession.Authentication;
using IdentityServer.MultiSession.Authorization;
using IdentityServer.MultiSession.Http;
using IdentityServer.MultiSession.Localization;
using IdentityServer.MultiSession.Logout;
using IdentityServer.MultiSession.Sessions;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Localization;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;

namespace IdentityServer.MultiSession.OpenIddict;

/// <summary>The end-session page's implementation behind the public <see cref="EndSessionModel"/>.</summary>
internal sealed class EndSessionModelImplementation : EndSessionModel
{
    private const string ConfirmField = "ms_confirm";

    public override Task<IActionResult> OnGetAsync() => HandleAsync(confirm: null);

    public override async Task<IActionResult> OnPostAsync()
    {
        string? confirm = Request.HasFormContentType ? Request.Form[ConfirmField].ToString() : null;
        if (!string.IsNullOrEmpty(confirm)
            && !await HttpContext.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(HttpContext))
        {
            var text = HttpContext.RequestServices.GetRequiredService<IStringLocalizer<MultiSessionText>>();
            return BadRequest(text["EndSession_FormExpired"].Value);
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

        Response.PreventCaching();
        var sessionService = HttpContext.RequestServices.GetRequiredService<IDeviceSessionService>();
        var decision = await multiSession.DecideEndSessionAsync(HttpContext, HttpContext.RequestAborted);
        var sessions = decision.Kind == EndSessionDecisionKind.NothingSignedIn
            ? []
            : await sessionService.ListAsync(HttpContext, HttpContext.RequestAborted);

        // With the hinted-account scope and other accounts here, the user chooses: that account only, or all of them.
        var offerAccount = decision is { Kind: EndSessionDecisionKind.SignOutAccount, Session: not null } && sessions.Count > 1;
        if (decision.Kind == EndSessionDecisionKind.Confirm || offerAccount)
        {
            if (confirm == ConfirmNone && decision.Kind == EndSessionDecisionKind.Confirm)
            {
                return Redirect("/");
            }

            var chosen = confirm == ConfirmAll || (confirm == ConfirmAccount && offerAccount);
            if (!chosen)
            {
                Parameters = request.GetParameters()
                    .Where(p => p.Key is not ConfirmField and not "__RequestVerificationToken")
                    .Select(p => (p.Key, (string?)p.Value ?? string.Empty))
                    .ToList();
                Sessions = sessions;
                HintedSession = offerAccount ? decision.Session : null;
                await FindClientNameAsync(decision.ClientId);
                return Page();
            }

            if (offerAccount && confirm == ConfirmAll)
            {
                decision = decision with { Kind = EndSessionDecisionKind.SignOutAll };
            }
        }

        // The front-channel logout URLs of the sessions about to end, read before they end.
        var ending = decision.Kind == EndSessionDecisionKind.SignOutAccount && decision.Session is { } one
            ? [one]
            : decision.Kind == EndSessionDecisionKind.NothingSignedIn ? [] : sessions;
        var frontChannel = new List<string>();
        if (HttpContext.RequestServices.GetService<IFrontChannelLogoutUrlProvider>() is { } provider)
        {
            foreach (var session in ending)
            {
                frontChannel.AddRange((await provider.GetUrlsAsync(session.SessionId, HttpContext.RequestAborted)).Select(u => u.AbsoluteUri));
            }
        }

        await multiSession.EndSessionAsync(HttpContext, decision, confirmed: confirm == ConfirmAll, HttpContext.RequestAborted);

        // OpenIddict redirects to the client's post_logout_redirect_uri when it is valid, else to the home page.
        if (frontChannel.Count == 0)
        {
            return SignOut(new AuthenticationProperties { RedirectUri = "/" }, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        }

        // Front-channel logout needs a page that frames the clients' logout URIs; no script may follow the redirect, so the
        // redirect OpenIddict prepares becomes this page's "continue" link.
        await HttpContext.SignOutAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, new AuthenticationProperties { RedirectUri = "/" });
        var location = Response.Headers.Location.ToString();
        Response.Headers.Remove("Location");
        Response.StatusCode = StatusCodes.Status200OK;
        ContinueUrl = string.IsNullOrEmpty(location) ? "/" : location;
        FrontChannelLogoutUrls = frontChannel.Distinct(StringComparer.Ordinal).ToList();
        SignedOut = true;
        await FindClientNameAsync(decision.ClientId);
        return Page();
    }

    /// <summary>The client's display name; its id is the decision's (the request's <c>client_id</c>, else the hint's audience).</summary>
    private async Task FindClientNameAsync(string? clientId)
    {
        if (!string.IsNullOrEmpty(clientId)
            && HttpContext.RequestServices.GetService<IClientDisplayNameResolver>() is { } clients)
        {
            ClientName = await clients.GetDisplayNameAsync(clientId, CultureInfo.CurrentUICulture, HttpContext.RequestAborted);
        }
    }
}
