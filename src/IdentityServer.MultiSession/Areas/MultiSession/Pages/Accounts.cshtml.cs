using IdentityServer.MultiSession.Authentication;
using IdentityServer.MultiSession.Http;
using IdentityServer.MultiSession.Sessions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityServer.MultiSession.Areas.MultiSession.Pages;

/// <summary>
/// The account picker (docs/BEHAVIOUR.md §5): use or switch to an account, sign out of one, use another account, sign out of
/// all. Plain forms with antiforgery tokens; works without JavaScript. This public type is what the page renders, for a host
/// that keeps its own copy of <c>Areas/MultiSession/Pages/Accounts.cshtml</c>; the library's internal implementation does the
/// work (the pattern of ASP.NET Core Identity's default UI).
/// </summary>
[DeviceScopedAntiforgery]
[PageImplementationType(typeof(AccountsModelImplementation))]
public abstract class AccountsModel : PageModel
{
    private protected AccountsModel()
    {
    }

    /// <summary>Where to go once an account is chosen: a local URL, or the authorization request in progress.</summary>
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    /// <summary>The accounts on this device.</summary>
    public IReadOnlyList<DeviceSession> Sessions { get; private protected set; } = [];

    /// <summary>
    /// The accounts signed out on this device that it still lists as "Signed out" (only when
    /// <see cref="MultiSessionOptions.RememberSignedOutAccounts"/> is on), most recently signed out first.
    /// </summary>
    public IReadOnlyList<RememberedAccount> SignedOutAccounts { get; private protected set; } = [];

    /// <summary>A message for the user (an account no longer signed in).</summary>
    public string? Message { get; private protected set; }

    /// <summary>The display name of the client whose authorization request opened the picker, when it is known.</summary>
    public string? ClientName { get; private protected set; }

    /// <summary>The validated return URL.</summary>
    public abstract string SafeReturnUrl { get; }

    /// <summary><c>true</c> when the picker was opened for an OIDC client's authorization request.</summary>
    public abstract bool ForAuthorization { get; }

    /// <summary>The login page, with <c>prompt=login</c> semantics, returning here or to the authorization request.</summary>
    public abstract string AddAccountUrl { get; }

    /// <summary>
    /// The front-channel logout URLs of the clients of the account just signed out (with <c>iss</c> and its <c>sid</c>), loaded in
    /// hidden frames by this page: OpenID Connect Front-Channel Logout 1.0, for clients that cannot be called server to server.
    /// </summary>
    public abstract IReadOnlyList<string> FrontChannelLogoutUrls { get; }

    /// <summary>
    /// The login page with an account signed out on this device filled in (<c>login_hint</c>), returning here or to the
    /// authorization request in progress, whose account it then is once it has signed in.
    /// </summary>
    public abstract string SignInAgainUrl(RememberedAccount account);

    /// <summary>Shows the accounts. (Page handler, implemented by the library.)</summary>
    public virtual Task OnGetAsync() => throw new NotSupportedException();

    /// <summary>"Remove": forgets one account signed out on this device. (Page handler, implemented by the library.)</summary>
    public virtual Task<IActionResult> OnPostForgetAsync(string? accountId) => throw new NotSupportedException();

    /// <summary>Uses an account, for the authorization request in progress if any. (Page handler, implemented by the library.)</summary>
    public virtual Task<IActionResult> OnPostUseAsync(string? sessionToken) => throw new NotSupportedException();

    /// <summary>Signs out of one account; the others stay signed in. (Page handler, implemented by the library.)</summary>
    public virtual Task<IActionResult> OnPostSignOutAsync(string? sessionToken, bool back = false) => throw new NotSupportedException();

    /// <summary>Signs out of every account on this browser. (Page handler, implemented by the library.)</summary>
    public virtual Task<IActionResult> OnPostSignOutAllAsync() => throw new NotSupportedException();
}
