using System.Security.Claims;

namespace IdentityServer.MultiSession.Sessions;

/// <summary>A device session and the principal that signed in through it, with <c>sid</c> and <c>auth_time</c> claims added.</summary>
/// <param name="Session">The session.</param>
/// <param name="Principal">The principal.</param>
public sealed record DeviceSessionTicket(DeviceSession Session, ClaimsPrincipal Principal);
