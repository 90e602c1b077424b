using Microsoft.AspNetCore.Identity;

namespace IdentityServer.MultiSession.Authentication;

/// <summary>
/// <see cref="IMultiSessionUserValidator"/> over ASP.NET Core Identity: the stamp from <see cref="UserManager{TUser}"/>, the fresh
/// principal from <see cref="SignInManager{TUser}.CreateUserPrincipalAsync"/> (the host's <c>IUserClaimsPrincipalFactory</c>).
/// </summary>
/// <typeparam name="TUser">The Identity user type.</typeparam>
public sealed class IdentityMultiSessionUserValidator<TUser> : IMultiSessionUserValidator
    where TUser : class
{
    private readonly SignInManager<TUser> _signInManager;

    /// <summary>Creates the validator.</summary>
    public IdentityMultiSessionUserValidator(SignInManager<TUser> signInManager) => _signInManager = signInManager;

    /// <inheritdoc />
    public async Task<MultiSessionUserCheck> CheckAsync(string userId, bool createPrincipal, CancellationToken cancellationToken = default)
    {
        var users = _signInManager.UserManager;
        var user = await users.FindByIdAsync(userId);
        if (user is null || !await _signInManager.CanSignInAsync(user))
        {
            return new MultiSessionUserCheck(false, null, null);
        }

        var stamp = users.SupportsUserSecurityStamp ? await users.GetSecurityStampAsync(user) : null;
        var principal = createPrincipal ? await _signInManager.CreateUserPrincipalAsync(user) : null;
        return new MultiSessionUserCheck(true, SecurityStampHash.Of(stamp), principal);
    }
}
