using Microsoft.AspNetCore.Authorization;

namespace IdpHost.Identity;

/// <summary>
/// The sample's privileged accounts, which the switch policy (<c>MultiSession:ReauthenticateAfter</c>) asks to authenticate again
/// before they are switched to: accounts in the <see cref="AdminRole"/> role, and accounts with two-factor sign-in on.
/// </summary>
public sealed class PrivilegedAccountRequirement : IAuthorizationRequirement
{
    /// <summary>The administrators' role.</summary>
    public const string AdminRole = "admin";
}
