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
public sealed class ProfileModel(UserManager<ApplicationUser> users, SignInManager<ApplicationUser> signIn) : PageModel
{
    /// <summary>A confirmation shown after signing out of the other devices.</summary>
    [TempData]
    public string? Message { get; set; }

    /// <summary>Shows the page.</summary>
    public void OnGet() => Response.Headers.CacheControl = "no-store";

    /// <summary>Signs the account out of every other device ("sign out everywhere" but here).</summary>
    public async Task<IActionResult> OnPostSignOutOtherDevicesAsync()
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }

        var result = await users.UpdateSecurityStampAsync(user);
        if (!result.Succeeded)
        {
            Message = "Your other devices could not be signed out. Try again.";
            return RedirectToPage();
        }

        await signIn.RefreshSignInAsync(user);
        Message = "Your other devices are signed out.";
        return RedirectToPage();
    }
}
