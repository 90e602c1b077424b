using System.Security.Claims;
using Microsoft.AspNetCore.Identity;

namespace IdentityServer.MultiSession.Authentication;

/// <summary>
/// <see cref="IMultiSessionPrincipalValidator"/> that compares the principal's security stamp with the user store through
/// ASP.NET Core Identity's <see cref="SignInManager{TUser}"/>.
/// </summary>
/// <typeparam name="TUser">The Identity user type.</typeparam>
public sealed class SecurityStampPrincipalValidator<TUser> : IMultiSessionPrincipalValidator
    where TUser : class
{
    private readonly SignInManager<TUser> _signInManager;

    /// <summary>Creates the validator.</summary>
    public SecurityStampPrincipalValidator(SignInManager<TUser> signInManager) => _signInManager = signInManager;

    /// <inheritdoc />
    public async Task<bool> ValidateAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default) =>
        await _signInManager.ValidateSecurityStampAsync(principal) is not null;
}
