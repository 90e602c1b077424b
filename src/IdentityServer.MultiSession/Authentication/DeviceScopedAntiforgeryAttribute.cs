using System.Security.Claims;
using Microsoft.AspNetCore.Mvc.Filters;

namespace IdentityServer.MultiSession.Authentication;

/// <summary>
/// Makes a page's antiforgery tokens belong to the device rather than to the active account: the page runs with an anonymous
/// <c>HttpContext.User</c>, so that a form rendered while alice was active still posts after another tab made bob active.
/// Apply it to pages that work on the device's accounts (picker, login, end-session confirmation), not to pages that need the user.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true)]
public sealed class DeviceScopedAntiforgeryAttribute : Attribute, IAuthorizationFilter, IOrderedFilter
{
    /// <summary>Runs before the antiforgery filter.</summary>
    public int Order => int.MinValue;

    /// <inheritdoc />
    public void OnAuthorization(AuthorizationFilterContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.HttpContext.User = new ClaimsPrincipal(new ClaimsIdentity());
    }
}
