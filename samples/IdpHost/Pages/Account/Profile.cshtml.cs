using System.Globalization;
using IdentityServer.MultiSession;
using IdentityServer.MultiSession.Http;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdpHost.Pages.Account;

/// <summary>An ordinary <c>[Authorize]</c> page: it sees the active account through <c>HttpContext.User</c>, unchanged.</summary>
[Authorize]
public sealed class ProfileModel : PageModel
{
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
}
