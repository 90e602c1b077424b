namespace IdentityServer.MultiSession.Administration;

/// <summary>A user as the administration pages and API show it.</summary>
/// <param name="Id">The user id (the OIDC <c>sub</c>).</param>
/// <param name="UserName">The user name.</param>
/// <param name="Email">The email address.</param>
/// <param name="DisplayName">The display name, else the user name.</param>
public sealed record MultiSessionUser(string Id, string? UserName, string? Email, string? DisplayName);
