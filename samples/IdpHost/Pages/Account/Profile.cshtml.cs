using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdpHost.Pages.Account;

/// <summary>An ordinary <c>[Authorize]</c> page: it sees the active account through <c>HttpContext.User</c>, unchanged.</summary>
[Authorize]
public sealed class ProfileModel : PageModel
{
    /// <summary>Shows the page.</summary>
    public void OnGet() => Response.Headers.CacheControl = "no-store";
}
