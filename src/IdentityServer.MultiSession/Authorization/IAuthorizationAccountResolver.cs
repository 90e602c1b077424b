using Microsoft.AspNetCore.Http;

namespace IdentityServer.MultiSession.Authorization;

/// <summary>
/// Decides, for an authorization request, which account on this device is used, or whether the picker, the login page or an
/// error is needed (every row of BEHAVIOUR.md §4). Engine-neutral: the OpenIddict integration maps its request to this one.
/// </summary>
public interface IAuthorizationAccountResolver
{
    /// <summary>Decides for <paramref name="request"/>, made by the browser of <paramref name="context"/>.</summary>
    Task<AuthorizationAccountDecision> ResolveAsync(HttpContext context, AuthorizationAccountRequest request, CancellationToken cancellationToken = default);
}
