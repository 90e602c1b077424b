using IdentityServer.MultiSession.Logout;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;

namespace IdentityServer.MultiSession.OpenIddict;

/// <summary>
/// Signs logout tokens with the OpenIddict server's own signing credentials (the first asymmetric one, the key its JWKS
/// publishes): header <c>typ</c> <c>logout+jwt</c>; claims <c>iss</c>, <c>aud</c> (the client), <c>iat</c>, <c>exp</c>,
/// <c>jti</c>, <c>events</c> with the back-channel logout member, <c>sub</c> and <c>sid</c> of the one ended session; never a
/// <c>nonce</c>.
/// </summary>
internal sealed class OpenIddictLogoutTokenIssuer(
    IOptionsMonitor<OpenIddictServerOptions> server,
    IOptionsMonitor<MultiSessionOptions> options,
    OpenIddictIssuerTracker tracker,
    TimeProvider time) : ILogoutTokenIssuer
{
    public const string TokenType = "logout+jwt";
    public const string BackChannelLogoutEvent = "http://schemas.openid.net/event/backchannel-logout";

    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };

    public string? CreateToken(LogoutTokenRequest request, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(request);
        var serverOptions = server.CurrentValue;
        var issuer = options.CurrentValue.BackChannelLogout.Issuer ?? serverOptions.Issuer ?? tracker.Issuer;
        if (issuer is null)
        {
            reason = "the issuer is unknown until this instance serves an OpenID Connect request (configure the server's issuer or MultiSession:BackChannelLogout:Issuer)";
            return null;
        }

        var credentials = serverOptions.SigningCredentials.FirstOrDefault(c => c.Key is AsymmetricSecurityKey);
        if (credentials is null)
        {
            reason = "the OpenID Connect server has no asymmetric signing key";
            return null;
        }

        var now = time.GetUtcNow();
        reason = null;
        return Handler.CreateToken(new SecurityTokenDescriptor
        {
            TokenType = TokenType,
            Issuer = issuer.AbsoluteUri,
            Audience = request.ClientId,
            IssuedAt = now.UtcDateTime,
            Expires = (now + options.CurrentValue.BackChannelLogout.TokenLifetime).UtcDateTime,
            SigningCredentials = credentials,
            Claims = new Dictionary<string, object>
            {
                [JwtRegisteredClaimNames.Sub] = request.Subject,
                [MultiSessionDefaults.SessionIdClaimType] = request.SessionId,
                [JwtRegisteredClaimNames.Jti] = request.TokenId,
                ["events"] = new Dictionary<string, object> { [BackChannelLogoutEvent] = new Dictionary<string, object>() },
            },
        });
    }
}
