using IdentityServer.MultiSession.Authentication;
using IdentityServer.MultiSession.Http;
using IdentityServer.MultiSession.Sessions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityServer.MultiSession.OpenIddict;

/// <summary>
/// The page behind OpenIddict's end-session endpoint (RP-initiated logout), <c>Areas/MultiSession/Pages/EndSession</c>, routed
/// at the end-session endpoint's path by <c>AddOpenIddictIntegration()</c>. A hint naming a session on this browser signs out
/// at once; a request without a hint, or whose hint names no session here, is suspect and asks the user first (nothing ends
/// silently). With <see cref="EndSessionScope.HintedAccount"/> and other accounts on the browser, the page offers to end only
/// the hinted account or every account. Then OpenIddict returns to the client's registered <c>post_logout_redirect_uri</c>, or
/// to the home page; when clients of the ended sessions registered a front-channel logout URI, a short "signed out" page first
/// loads them in hidden frames and continues with a plain link.
/// This public type is what the page renders, for a host that keeps its own copy of
/// <c>Areas/MultiSession/Pages/EndSession.cshtml</c>; the library's internal implementation does the work.
/// </summary>
[IgnoreAntiforgeryToken]
[DeviceScopedAntiforgery]
[PageImplementationType(typeof(EndSessionModelImplementation))]
public abstract class EndSessionModel : PageModel
{
    /// <summary>The confirmation value that ends every account.</summary>
    public const string ConfirmAll = "yes";

    /// <summary>The confirmation value that ends only the hinted account.</summary>
    public const string ConfirmAccount = "account";

    /// <summary>The confirmation value that ends nothing.</summary>
    public const string ConfirmNone = "no";

    private protected EndSessionModel()
    {
    }

    /// <summary>The request's parameters, carried by the confirmation form.</summary>
    public IReadOnlyList<(string Name, string Value)> Parameters { get; private protected set; } = [];

    /// <summary>The accounts that would be signed out by "sign out of all accounts".</summary>
    public IReadOnlyList<DeviceSession> Sessions { get; private protected set; } = [];

    /// <summary>The account the <c>id_token_hint</c> names, when the page offers to end only that one.</summary>
    public DeviceSession? HintedSession { get; private protected set; }

    /// <summary>The display name of the client that asked for the sign-out, when known.</summary>
    public string? ClientName { get; private protected set; }

    /// <summary>Whether the sign-out is done and the page only confirms it (front-channel frames, then a link onwards).</summary>
    public bool SignedOut { get; private protected set; }

    /// <summary>Where the "continue" link of the signed-out page leads (the client's post-logout redirect, or the home page).</summary>
    public string ContinueUrl { get; private protected set; } = "/";

    /// <summary>The front-channel logout URLs (with <c>iss</c> and <c>sid</c>) of the clients of the sessions just ended.</summary>
    public IReadOnlyList<string> FrontChannelLogoutUrls { get; private protected set; } = [];

    /// <summary>Handles a GET end-session request. (Page handler, implemented by the library.)</summary>
    public virtual Task<IActionResult> OnGetAsync() => throw new NotSupportedException();

    /// <summary>
    /// Handles a POSTed end-session request, or the confirmation form (which carries an antiforgery token). (Page handler,
    /// implemented by the library.)
    /// </summary>
    public virtual Task<IActionResult> OnPostAsync() => throw new NotSupportedException();
}
