using System.Security.Claims;
using IdentityServer.MultiSession.Sessions;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace IdentityServer.MultiSession.Areas.MultiSession.Pages;

/// <summary>
/// The language switch's target: remembers the chosen culture in the request-culture cookie for a year and goes back to the
/// (validated, local) page the switch was on. Only a culture the host supports is accepted. Internal: the page renders
/// nothing, so a host has nothing to override.
/// </summary>
[IgnoreAntiforgeryToken]
internal sealed class LanguageModel : PageModel
{
    private static readonly TimeSpan Remembered = TimeSpan.FromDays(365);

    private readonly IAntiforgery _antiforgery;
    private readonly ReturnUrlValidator _returnUrls;
    private readonly IOptions<RequestLocalizationOptions> _localization;
    private readonly TimeProvider _time;

    public LanguageModel(IAntiforgery antiforgery, ReturnUrlValidator returnUrls, IOptions<RequestLocalizationOptions> localization, TimeProvider time)
    {
        _antiforgery = antiforgery;
        _returnUrls = returnUrls;
        _localization = localization;
        _time = time;
    }

    /// <summary>Nothing to show: back to the home page.</summary>
    public IActionResult OnGet() => LocalRedirect(_returnUrls.Sanitize(null));

    /// <summary>Remembers <paramref name="culture"/> and goes back to <paramref name="returnUrl"/>.</summary>
    public async Task<IActionResult> OnPostAsync(string? culture, string? returnUrl)
    {
        if (!await IsValidAsync())
        {
            return BadRequest();
        }

        var chosen = _localization.Value.SupportedUICultures?.FirstOrDefault(c => string.Equals(c.Name, culture, StringComparison.OrdinalIgnoreCase));
        if (chosen is null)
        {
            return BadRequest();
        }

        var cookieName = _localization.Value.RequestCultureProviders.OfType<CookieRequestCultureProvider>().FirstOrDefault()?.CookieName
            ?? CookieRequestCultureProvider.DefaultCookieName;
        Response.Cookies.Append(cookieName, CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(chosen)), new CookieOptions
        {
            HttpOnly = true,
            Secure = Request.IsHttps,
            SameSite = SameSiteMode.Lax,
            IsEssential = true,
            Path = Request.PathBase.HasValue ? Request.PathBase.Value : "/",
            Expires = _time.GetUtcNow() + Remembered,
        });
        return LocalRedirect(_returnUrls.Sanitize(returnUrl));
    }

    /// <summary>
    /// The switch sits on every page: on the device-scoped ones (picker, login) its token was issued to no user, on the others
    /// to the active account. Either is this browser's own token pair; anything else is refused.
    /// </summary>
    private async Task<bool> IsValidAsync()
    {
        if (await _antiforgery.IsRequestValidAsync(HttpContext))
        {
            return true;
        }

        var user = HttpContext.User;
        HttpContext.User = new ClaimsPrincipal(new ClaimsIdentity());
        try
        {
            return await _antiforgery.IsRequestValidAsync(HttpContext);
        }
        finally
        {
            HttpContext.User = user;
        }
    }
}
