using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace IdentityServer.MultiSession.Sessions;

/// <summary>
/// The accounts signed in on the current device (browser): list, sign in, switch, revoke, sign out (SPEC §3).
/// The device is the one named by the request's device cookie.
/// </summary>
public interface IDeviceSessionService
{
    /// <summary>Lists the device's unexpired sessions, most recently used first; empty when nothing is signed in (SPEC §3.4).</summary>
    Task<IReadOnlyList<DeviceSession>> ListAsync(HttpContext context, CancellationToken cancellationToken = default);

    /// <summary>
    /// Finds the session that authenticates this request: the one named by <paramref name="sessionId"/> on this device, or the
    /// active one. Falls back to the most recently used session when the active one has ended. Records use (sliding expiry).
    /// </summary>
    Task<DeviceSessionTicket?> AuthenticateAsync(HttpContext context, string? sessionId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Adds a session for <paramref name="principal"/> and makes it active; the same user's earlier session on this device is
    /// replaced (SPEC §3.1, §3.2). Throws <see cref="MultiSessionLimitReachedException"/> when the device is full (SPEC §3.3).
    /// </summary>
    Task<DeviceSession> SignInAsync(HttpContext context, ClaimsPrincipal principal, CancellationToken cancellationToken = default);

    /// <summary>Makes the session named by <paramref name="sessionToken"/> active; <c>null</c> when it names no live session of this device (SPEC §3.5).</summary>
    Task<DeviceSession?> SetActiveAsync(HttpContext context, string sessionToken, CancellationToken cancellationToken = default);

    /// <summary>Ends the session named by <paramref name="sessionToken"/>; <c>false</c> when it names no live session of this device (SPEC §3.6).</summary>
    Task<bool> RevokeAsync(HttpContext context, string sessionToken, CancellationToken cancellationToken = default);

    /// <summary>Ends every session on this device and forgets the device cookie (SPEC §3.7); returns how many ended.</summary>
    Task<int> SignOutAsync(HttpContext context, CancellationToken cancellationToken = default);

    /// <summary>Ends every session of a user on every device (SPEC §3.9); returns how many ended.</summary>
    Task<int> RevokeUserSessionsAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary>Finds a live session by its id (the OIDC <c>sid</c>) on any device, for example at the token endpoint.</summary>
    Task<DeviceSession?> FindBySessionIdAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>Records that an OIDC client received tokens through a session.</summary>
    Task RecordClientAsync(string sessionId, string clientId, CancellationToken cancellationToken = default);
}
