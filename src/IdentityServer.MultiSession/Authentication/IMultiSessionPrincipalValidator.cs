using System.Security.Claims;

namespace IdentityServer.MultiSession.Authentication;

/// <summary>
/// Checks that the principal of a device session is still valid, for example that the user's security stamp has not changed (BEHAVIOUR.md §3.9).
/// </summary>
public interface IMultiSessionPrincipalValidator
{
    /// <summary><c>true</c> when <paramref name="principal"/> may still be used.</summary>
    Task<bool> ValidateAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default);
}
