using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace IdentityServer.MultiSession.Administration;

/// <summary>
/// Guards an administration page with <see cref="MultiSessionOptions.AdministrationPolicy"/>, before anything else runs (the
/// antiforgery check included): not signed in goes to the login page, signed in without the policy gets 403.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true)]
public sealed class MultiSessionAdministrationAttribute : Attribute, IAsyncAuthorizationFilter, IOrderedFilter
{
    /// <summary>Runs before the antiforgery filter.</summary>
    public int Order => -2000;

    /// <inheritdoc />
    public async Task OnAuthorizationAsync(AuthorizationFilterContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        switch (await AdministrationAccess.AuthorizeAsync(context.HttpContext))
        {
            case AdministrationAccess.Outcome.Challenged:
                context.Result = new ChallengeResult();
                break;
            case AdministrationAccess.Outcome.Forbidden:
                context.Result = new StatusCodeResult(StatusCodes.Status403Forbidden);
                break;
        }
    }
}
