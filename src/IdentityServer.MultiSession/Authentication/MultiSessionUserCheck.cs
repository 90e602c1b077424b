using System.Security.Claims;

namespace IdentityServer.MultiSession.Authentication;

/// <summary>The result of <see cref="IMultiSessionUserValidator.CheckAsync"/>.</summary>
/// <param name="CanSignIn"><c>false</c> when the user no longer exists or may no longer sign in: every session of the user ends.</param>
/// <param name="SecurityStampHash">The hash of the user's current security stamp (<see cref="SecurityStampHash.Of"/>).</param>
/// <param name="Principal">The principal built afresh from the user store, when asked for and <paramref name="CanSignIn"/>.</param>
public sealed record MultiSessionUserCheck(bool CanSignIn, string? SecurityStampHash, ClaimsPrincipal? Principal);
