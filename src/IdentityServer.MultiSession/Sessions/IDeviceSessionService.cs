using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace IdentityServer.MultiSession.Sessions;

/// <summary>
/// The accounts signed in on the current device (browser): list, sign in, switch, revoke, sign out (BEHAVIOUR.md §3).
/// The device is the one named by the request's device cookie.
/// </summary>
public interface IDeviceSessionService
{
    /// <summary>Lists the device's unexpired sessions, most recently used first; empty when nothing is signed in (BEHAVIOUR.md §3.4).</summary>
    Task<IReadOnlyList<DeviceSession>> ListAsync(HttpContext context, CancellationToken cancellationToken = default);

    /// <summary>
    /// Finds the session that authenticates this request: the one named by <paramref name="sessionId"/> on this device, or the
    /// active one. Falls back to the most recently used session when the active one has ended. Records use (sliding expiry).
    /// </summary>
    Task<DeviceSessionTicket?> AuthenticateAsync(HttpContext context, string? sessionId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Adds a session for <paramref name="principal"/> and makes it active; the same user's session on this device is renewed in
    /// place (same sid and slot, clients kept, a new authentication time). Every sign-in gives the device a new secret.
    /// Throws <see cref="MultiSessionLimitReachedException"/> when the device is full, and
    /// <see cref="MultiSessionSignInSupersededException"/> when another sign-in of this browser has just replaced its secret.
    /// </summary>
    Task<DeviceSession> SignInAsync(HttpContext context, ClaimsPrincipal principal, CancellationToken cancellationToken = default);

    /// <summary>
    /// Renews the signed-in user's session on this device in place for a refresh of the sign-in (<c>SignInManager.RefreshSignInAsync</c>
    /// after a profile or password change): same sid and slot, clients and authentication time kept, the stored principal and
    /// security stamp taken from <paramref name="principal"/>; the user's sessions created under an older stamp end at once.
    /// <c>null</c> when the user has no session on this device any more.
    /// </summary>
    Task<DeviceSession?> RefreshSignInAsync(HttpContext context, ClaimsPrincipal principal, CancellationToken cancellationToken = default);

    /// <summary>
    /// Finds a live session by its id (the OIDC <c>sid</c>) on any device and checks its user's security stamp now: the session
    /// when it may still be used, else <c>null</c> (a session created under an older stamp ends). For the token endpoint (code
    /// and refresh grants) and userinfo.
    /// </summary>
    Task<DeviceSession?> ValidateSessionAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Ends at once, on every device, the user's sessions created under an older security stamp; sessions created under the
    /// current stamp stay. Call it after changing a stamp through the IdP (<c>UpdateSecurityStampAsync</c>, a password reset by
    /// an administrator). Returns how many ended.
    /// </summary>
    Task<int> RevokeStaleSessionsAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Makes the session named by <paramref name="sessionToken"/> active; <c>null</c> when it names no live session of this device (BEHAVIOUR.md §3.5).
    /// Throws <see cref="MultiSessionReauthenticationRequiredException"/>, changing nothing, when the switch policy
    /// (<see cref="MultiSessionOptions.ReauthenticateAfter"/>) asks that account to authenticate again first.
    /// </summary>
    Task<DeviceSession?> SetActiveAsync(HttpContext context, string sessionToken, CancellationToken cancellationToken = default);

    /// <summary>Ends the session named by <paramref name="sessionToken"/>; <c>false</c> when it names no live session of this device (BEHAVIOUR.md §3.6).</summary>
    Task<bool> RevokeAsync(HttpContext context, string sessionToken, CancellationToken cancellationToken = default);

    /// <summary>
    /// Ends the session named by <paramref name="sessionToken"/> for <paramref name="reason"/> (carried by the revocation event
    /// and metrics), on behalf of <paramref name="clientId"/> when a client asked for it; <c>false</c> when it names no live
    /// session of this device. By default the same as <see cref="RevokeAsync(HttpContext, string, CancellationToken)"/>.
    /// </summary>
    Task<bool> RevokeAsync(HttpContext context, string sessionToken, SessionEndReason reason, string? clientId, CancellationToken cancellationToken = default) =>
        RevokeAsync(context, sessionToken, cancellationToken);

    /// <summary>
    /// The user signs out of one account on this device (the picker's "Sign out", the JSON API's revoke): ends it as
    /// <see cref="RevokeAsync(HttpContext, string, CancellationToken)"/> does and, when
    /// <see cref="MultiSessionOptions.RememberSignedOutAccounts"/> is on, keeps it in this device's picker as "Signed out"
    /// (<see cref="IRememberedAccountService"/>). <c>false</c> when it names no live session of this device.
    /// </summary>
    Task<bool> SignOutAccountAsync(HttpContext context, string sessionToken, CancellationToken cancellationToken = default) =>
        RevokeAsync(context, sessionToken, cancellationToken);

    /// <summary>
    /// As <see cref="SignOutAccountAsync(HttpContext, string, CancellationToken)"/>, for <paramref name="reason"/> and on behalf
    /// of <paramref name="clientId"/> (an RP-initiated logout of that account alone).
    /// </summary>
    Task<bool> SignOutAccountAsync(HttpContext context, string sessionToken, SessionEndReason reason, string? clientId, CancellationToken cancellationToken = default) =>
        SignOutAccountAsync(context, sessionToken, cancellationToken);

    /// <summary>Ends every session on this device and forgets the device cookie (BEHAVIOUR.md §3.7); returns how many ended.</summary>
    Task<int> SignOutAsync(HttpContext context, CancellationToken cancellationToken = default);

    /// <summary>
    /// Ends every session on this device for <paramref name="reason"/> (<see cref="SessionEndReason.User"/>, or
    /// <see cref="SessionEndReason.RelyingPartyLogout"/> with the client that asked), and forgets the device cookie; returns how
    /// many ended. By default the same as <see cref="SignOutAsync(HttpContext, CancellationToken)"/>.
    /// </summary>
    Task<int> SignOutAsync(HttpContext context, SessionEndReason reason, string? clientId, CancellationToken cancellationToken = default) =>
        SignOutAsync(context, cancellationToken);

    /// <summary>Ends every session of a user on every device (BEHAVIOUR.md §3.9); returns how many ended.</summary>
    Task<int> RevokeUserSessionsAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Ends every session of a user on every device for <paramref name="reason"/> (the overload without one says
    /// <see cref="SessionEndReason.Admin"/>); returns how many ended.
    /// </summary>
    Task<int> RevokeUserSessionsAsync(string userId, SessionEndReason reason, CancellationToken cancellationToken = default) =>
        RevokeUserSessionsAsync(userId, cancellationToken);

    /// <summary>Finds a live session by its id (the OIDC <c>sid</c>) on any device, for example at the token endpoint.</summary>
    Task<DeviceSession?> FindBySessionIdAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>Records that an OIDC client received tokens through a session.</summary>
    Task RecordClientAsync(string sessionId, string clientId, CancellationToken cancellationToken = default);

    /// <summary>Lists a user's unexpired sessions on every device, most recently used first, with their clients ("Your devices", administration).</summary>
    Task<IReadOnlyList<UserDeviceSession>> ListUserSessionsAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Ends the session <paramref name="sessionId"/> of <paramref name="userId"/> on whatever device it is, like every other
    /// revocation (tokens revoked, back-channel logout queued, that device's cookie reaches it no more). An id of another user's
    /// session names nothing: <c>false</c>.
    /// </summary>
    Task<bool> RevokeUserSessionAsync(string userId, string sessionId, SessionEndReason reason, CancellationToken cancellationToken = default);

    /// <summary>Ends every session of a user except <paramref name="keptSessionId"/> (the one of this device): "sign out of all other devices".</summary>
    Task<int> RevokeOtherSessionsAsync(string userId, string keptSessionId, SessionEndReason reason, CancellationToken cancellationToken = default);
}
