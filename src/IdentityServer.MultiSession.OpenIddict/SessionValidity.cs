using System.Security.Claims;
using IdentityServer.MultiSession.Sessions;
using OpenIddict.Abstractions;

namespace IdentityServer.MultiSession.OpenIddict;

/// <summary>
/// The one place where the OpenIddict handlers ask whether the device session behind a token still lives: code redemption,
/// refresh, userinfo and introspection all come through <see cref="FindLiveSessionAsync"/>, which always reads the store and checks the user's security stamp
/// (no cache), so a session ended on any instance stops its tokens at once.
/// </summary>
internal sealed class SessionValidity(IDeviceSessionService sessions)
{
    /// <summary>The live device session named by the principal's <c>sid</c>; <c>null</c> when it names none or it has ended.</summary>
    public async Task<DeviceSession?> FindLiveSessionAsync(ClaimsPrincipal? principal, CancellationToken cancellationToken)
    {
        var sid = principal?.GetClaim(MultiSessionDefaults.SessionIdClaimType);
        if (string.IsNullOrEmpty(sid))
        {
            return null;
        }

        // The security stamp is checked here too: a session created under an older stamp ends, and its tokens with it.
        var session = await sessions.ValidateSessionAsync(sid, cancellationToken);

        // A session is one account: a token whose subject is not that account's is not the session's.
        return session is not null && string.Equals(session.UserId, principal!.GetClaim(OpenIddictConstants.Claims.Subject), StringComparison.Ordinal)
            ? session
            : null;
    }
}
