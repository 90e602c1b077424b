using IdpHost.Data;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;

namespace IdpHost.Identity;

/// <summary>
/// Satisfies <see cref="PrivilegedAccountRequirement"/> for an account in the <c>admin</c> role (a role claim of the principal)
/// or whose two-factor sign-in is on (read from the user store: turning it on does not change the stored principal's claims).
/// </summary>
public sealed class PrivilegedAccountHandler(UserManager<ApplicationUser> users) : AuthorizationHandler<PrivilegedAccountRequirement>
{
    /// <inheritdoc />
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, PrivilegedAccountRequirement requirement)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.User.IsInRole(PrivilegedAccountRequirement.AdminRole))
        {
            context.Succeed(requirement);
            return;
        }

        var userId = users.GetUserId(context.User);
        var user = string.IsNullOrEmpty(userId) ? null : await users.FindByIdAsync(userId);
        if (user is not null && users.SupportsUserTwoFactor && await users.GetTwoFactorEnabledAsync(user))
        {
            context.Succeed(requirement);
        }
    }
}
