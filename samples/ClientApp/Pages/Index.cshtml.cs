using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ClientApp.Pages;

/// <summary>
/// The client's only page: who is signed in (name, email, <c>sub</c>, <c>sid</c>, <c>amr</c> from the ID token), and the buttons that
/// send the browser to the IdP: sign in, switch account (<c>prompt=select_account</c>), sign in with another account
/// (<c>prompt=login</c>) and sign out (RP-initiated logout with <c>id_token_hint</c>).
/// </summary>
public sealed class IndexModel : PageModel
{
    /// <summary>An error from the IdP, shown once.</summary>
    [FromQuery(Name = "error")]
    public string? Error { get; set; }

    /// <summary><c>true</c> when this client has a session.</summary>
    public bool IsSignedIn => User.Identity?.IsAuthenticated == true;

    /// <summary>The <c>name</c> claim.</summary>
    public string? Name => User.FindFirst("name")?.Value;

    /// <summary>The <c>email</c> claim.</summary>
    public string? Email => User.FindFirst("email")?.Value;

    /// <summary>The <c>sub</c> claim: the user's id at the IdP.</summary>
    public string? Subject => User.FindFirst("sub")?.Value;

    /// <summary>The <c>sid</c> claim: the IdP's session of this account on this browser.</summary>
    public string? SessionId => User.FindFirst("sid")?.Value;

    /// <summary>The <c>amr</c> values (how the IdP authenticated the account), space-separated.</summary>
    public string AuthenticationMethods => string.Join(' ', User.FindAll("amr").Select(c => c.Value));

    /// <summary>Shows the page.</summary>
    public void OnGet()
    {
        Response.Headers.CacheControl = "no-store";
        if (Error is { Length: > 300 })
        {
            Error = Error[..300];
        }
    }

    /// <summary>Signs in with the IdP's default behaviour: its active account, or its login page.</summary>
    public IActionResult OnPostSignIn() => Challenge(new OpenIdConnectChallengeProperties { RedirectUri = "/" });

    /// <summary>Asks the IdP for its account picker.</summary>
    public IActionResult OnPostSwitchAccount() =>
        Challenge(new OpenIdConnectChallengeProperties { RedirectUri = "/", Prompt = "select_account" });

    /// <summary>Asks the IdP for its login page, to add (or re-enter) an account.</summary>
    public IActionResult OnPostAddAccount() =>
        Challenge(new OpenIdConnectChallengeProperties { RedirectUri = "/", Prompt = "login" });

    /// <summary>Ends this client's session and sends the browser to the IdP's end-session endpoint with the ID token as hint.</summary>
    public IActionResult OnPostSignOut() =>
        SignOut(
            new AuthenticationProperties { RedirectUri = "/" },
            CookieAuthenticationDefaults.AuthenticationScheme,
            OpenIdConnectDefaults.AuthenticationScheme);
}
