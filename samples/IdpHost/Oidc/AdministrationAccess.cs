using System.Security.Claims;
using IdpHost.Data;
using Microsoft.AspNetCore.Identity;
using OpenIddict.Abstractions;

namespace IdpHost.Oidc;

/// <summary>
/// Who may administer sessions in the sample: a person signed in with the <c>admin</c> role (the sign-in cookie's identity), or a
/// script presenting an access token of this IdP that carries the <see cref="Scope"/> scope (client credentials). A user's token
/// for another client never counts, whatever roles it carries: only the cookie identity's roles do.
/// </summary>
public static class AdministrationAccess
{
    /// <summary>The scope of the administration API.</summary>
    public const string Scope = "multisession_admin";

    /// <summary><c>true</c> when <paramref name="user"/> is an administrator.</summary>
    public static bool IsAdministrator(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        foreach (var identity in user.Identities)
        {
            if (!identity.IsAuthenticated)
            {
                continue;
            }

            if (identity.AuthenticationType == IdentityConstants.ApplicationScheme && identity.HasClaim(identity.RoleClaimType, DemoUsers.AdministratorRole))
            {
                return true;
            }

            // An access token counts only when the IdP issued it to a client for itself (client credentials: its subject is
            // the client), so a user's token never does, even from a client that was (wrongly) allowed the scope.
            if (identity.AuthenticationType != IdentityConstants.ApplicationScheme && identity.HasScope(Scope)
                && identity.GetClaim(OpenIddictConstants.Claims.Subject) is { Length: > 0 } subject
                && string.Equals(subject, identity.GetClaim(OpenIddictConstants.Claims.ClientId), StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
