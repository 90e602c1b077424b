using System.Globalization;
using IdentityServer.MultiSession;
using IdentityServer.MultiSession.Http;
using IdentityServer.MultiSession.Sessions;
using IdpHost.Data;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdpHost.Pages.Account;

/// <summary>
/// An ordinary <c>[Authorize]</c> page: it sees the active account through <c>HttpContext.User</c>, unchanged. It can also sign
/// the account out of every other device: a new security stamp, then <c>RefreshSignInAsync</c>, which lets this session adopt
/// the new stamp (same sid) while the account's sessions created under the old stamp end at once, on every device.
/// </summary>
[Authorize]
public sealed class ProfileModel(UserManager<ApplicationUser> users, SignInManager<ApplicationUser> signIn, IDeviceSessionService? sessions = null) : PageModel
{
    /// <summary>The resource key of the confirmation shown after signing out of the other devices.</summary>
    [TempData]
    public string? Message { get; set; }

    /// <summary>When the active account signed in, as the user's culture writes it (UTC); <c>null</c> when unknown.</summary>
    public string? SignedInAt { get; private set; }

    /// <summary>Shows the page.</summary>
    public void OnGet()
    {
        Response.PreventCaching();
        if (long.TryParse(User.FindFirst(MultiSessionDefaults.AuthenticationTimeClaimType)?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            SignedInAt = DateTimeOffset.FromUnixTimeSeconds(seconds).UtcDateTime.ToString("f", CultureInfo.CurrentCulture);
        }
    }

    /// <summary>Signs the account out of every other device ("sign out everywhere" but here).</summary>
    public async Task<IActionResult> OnPostSignOutOtherDevicesAsync()
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }

        // The user signs the account out of the other devices: those sessions end for that reason (SessionEndReason.User, as
        // on "Your devices"), then the new security stamp retires whatever else was issued under the old one (a browser
        // remembered for the second factor, Identity cookies), and this session adopts it below.
        if (sessions is not null && User.FindFirst(MultiSessionDefaults.SessionIdClaimType)?.Value is { } sessionId)
        {
            await sessions.RevokeOtherSessionsAsync(user.Id, sessionId, SessionEndReason.User, HttpContext.RequestAborted);

            // The store's unit of work started afresh (the user read above is no longer tracked): read it again.
            user = await users.FindByIdAsync(user.Id);
            if (user is null)
            {
                return Challenge();
            }
        }

        var result = await users.UpdateSecurityStampAsync(user);
        if (!result.Succeeded)
        {
            Message = "Profile_OtherDevicesFailed";
            return RedirectToPage();
        }

        await signIn.RefreshSignInAsync(user);
        Message = "Profile_OtherDevicesSignedOut";
        return RedirectToPage();
    }
}
