namespace IdentityServer.MultiSession.Authentication;

/// <summary>
/// Reads what the session rules need from the user store: the user's current security stamp (as a hash) and, when asked, a
/// principal built afresh from the store (roles and claims as they are now), as ASP.NET Core Identity's own security-stamp
/// validator does.
/// </summary>
public interface IMultiSessionUserValidator
{
    /// <summary>Checks the user; <paramref name="createPrincipal"/> also builds a fresh principal when the user may still sign in.</summary>
    Task<MultiSessionUserCheck> CheckAsync(string userId, bool createPrincipal, CancellationToken cancellationToken = default);
}
