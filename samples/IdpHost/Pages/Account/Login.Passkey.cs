using IdentityServer.MultiSession.Http;
using System.Text.Json;
using IdentityServer.MultiSession;
using IdentityServer.MultiSession.Sessions;
using IdpHost.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace IdpHost.Pages.Account;

/// <summary>
/// The login page's "Sign in with a passkey": <c>wwwroot/js/passkey-login.js</c> asks <see cref="OnPostPasskeyOptionsAsync"/>
/// for WebAuthn request options (any account's passkey), runs <c>navigator.credentials.get()</c>, and posts the answer with
/// the ceremony's attempt id (and the password form's antiforgery token and return URL) to <see cref="OnPostPasskeyAsync"/>, which signs the account in like a password: added to the
/// browser and active, the other accounts kept, the limit message shown (and nothing written) when the browser is full.
/// </summary>
public sealed partial class LoginModel
{
    /// <summary>The authenticator's answer (WebAuthn's JSON form of the credential).</summary>
    [BindProperty]
    public string? PasskeyCredential { get; set; }

    /// <summary>The id of the pending ceremony the answer belongs to.</summary>
    [BindProperty]
    public string? PasskeyAttempt { get; set; }

    /// <summary>Starts a passkey ceremony: <c>{ "attempt": id, "options": WebAuthn request options }</c>.</summary>
    public async Task<IActionResult> OnPostPasskeyOptionsAsync()
    {
        Response.PreventCaching();
        var ceremony = await HttpContext.RequestServices.GetRequiredService<MultiAccountSignInManager>().StartPasskeySignInAsync();
        return Content($"{{\"attempt\":{JsonSerializer.Serialize(ceremony.AttemptId)},\"options\":{ceremony.OptionsJson}}}", "application/json");
    }

    /// <summary>Signs in with the authenticator's answer.</summary>
    public async Task<IActionResult> OnPostPasskeyAsync()
    {
        Response.PreventCaching();
        var services = HttpContext.RequestServices;
        var logger = services.GetRequiredService<ILogger<LoginModel>>();
        var target = services.GetRequiredService<ReturnUrlValidator>().Sanitize(ReturnUrl);
        try
        {
            var signIn = services.GetRequiredService<MultiAccountSignInManager>();
            var (outcome, userId) = await signIn.SignInWithPasskeyAsync(PasskeyCredential, PasskeyAttempt);
            switch (outcome)
            {
                case PasskeySignInOutcome.SignedIn:
                    IdpLog.PasskeySignedIn(logger, userId!, string.Join(' ', HttpContext.User.FindAll(AuthenticationMethods.ClaimType).Select(c => c.Value)));
                    return Redirect(target);
                case PasskeySignInOutcome.LimitReached:
                    IdpLog.PasskeySignInRefusedByLimit(logger, userId!, services.GetRequiredService<IOptionsMonitor<MultiSessionOptions>>().CurrentValue.MaximumSessions);
                    LimitReached = true;
                    return await FailAsync(null);
                default:
                    IdpLog.PasskeySignInFailed(logger, userId);
                    PasskeyFailed = true;
                    return await FailAsync(null);
            }
        }
        catch (MultiSessionLimitReachedException)
        {
            LimitReached = true;
            return await FailAsync(null);
        }
        catch (MultiSessionSignInSupersededException superseded)
        {
            return await FailAsync(superseded.Message);
        }
    }

    /// <summary><c>true</c> when a passkey sign-in was refused (shown as the passkey message).</summary>
    public bool PasskeyFailed { get; private set; }
}
