using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ClientApp;

/// <summary>
/// <c>POST /backchannel-logout</c>: receives a logout token from the IdP (OpenID Connect Back-Channel Logout 1.0), validates it
/// as that specification's section 2.6 requires, and ends the local sessions it names at once. A token that does not validate
/// gets 400 with an <c>invalid_request</c> error and changes nothing.
/// </summary>
public sealed class BackChannelLogoutEndpoint
{
    /// <summary>The path of the endpoint, registered at the IdP as the client's back-channel logout URI.</summary>
    public const string Path = "/backchannel-logout";

    private const string BackChannelLogoutEvent = "http://schemas.openid.net/event/backchannel-logout";

    /// <summary>How far <c>iat</c> may lie from now.</summary>
    private static readonly TimeSpan IssuedAtWindow = TimeSpan.FromMinutes(5);

    private static readonly JsonWebTokenHandler Handler = new();

    private readonly ConcurrentDictionary<string, DateTimeOffset> _seen = new(StringComparer.Ordinal);
    private readonly IOptionsMonitor<OpenIdConnectOptions> _oidc;
    private readonly SessionTicketStore _sessions;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Creates the endpoint.</summary>
    public BackChannelLogoutEndpoint(IOptionsMonitor<OpenIdConnectOptions> oidc, SessionTicketStore sessions, TimeProvider time, ILogger<BackChannelLogoutEndpoint> logger)
    {
        _oidc = oidc;
        _sessions = sessions;
        _time = time;
        _logger = logger;
    }

    /// <summary>Handles one POST.</summary>
    public async Task<IResult> HandleAsync(HttpContext context)
    {
        context.Response.Headers.CacheControl = "no-store";
        if (!context.Request.HasFormContentType)
        {
            return Refuse("The request must be a form post (application/x-www-form-urlencoded).");
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var token = form["logout_token"].ToString();
        if (string.IsNullOrEmpty(token) || form["logout_token"].Count != 1)
        {
            return Refuse("The request carries no single logout_token.");
        }

        var (claims, error) = await ValidateAsync(token, context.RequestAborted);
        if (claims is null)
        {
            return Refuse(error!);
        }

        var ended = _sessions.RemoveBySession(claims.SessionId, claims.Subject);
        _logger.LogInformation("Back-channel logout for session {SessionId}: {Count} local sessions ended.", claims.SessionId, ended);
        return Results.Ok();
    }

    /// <summary>
    /// Validates a logout token: signature against the IdP's published keys, <c>iss</c>, <c>aud</c> (this client), <c>typ</c>
    /// <c>logout+jwt</c>, <c>exp</c>, <c>iat</c> within a window, the back-channel <c>events</c> member, a <c>sid</c> or
    /// <c>sub</c>, no <c>nonce</c>, and a <c>jti</c> not seen before. Returns the named session, or why the token is refused.
    /// </summary>
    public async Task<(LogoutClaims? Claims, string? Error)> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        var options = _oidc.Get(OpenIdConnectDefaults.AuthenticationScheme);
        if (options.ConfigurationManager is null)
        {
            return (null, "The OpenID Connect configuration is not available.");
        }

        var result = await ValidateSignedAsync(token, options, await options.ConfigurationManager.GetConfigurationAsync(cancellationToken));
        if (!result.IsValid && result.Exception is SecurityTokenSignatureKeyNotFoundException)
        {
            // The IdP may have rolled its keys since the configuration was read: read it once more.
            options.ConfigurationManager.RequestRefresh();
            result = await ValidateSignedAsync(token, options, await options.ConfigurationManager.GetConfigurationAsync(cancellationToken));
        }

        if (!result.IsValid)
        {
            return (null, "The logout token does not validate: " + (result.Exception?.GetType().Name ?? "invalid token") + ".");
        }

        var jwt = (JsonWebToken)result.SecurityToken;
        var now = _time.GetUtcNow();
        if (!jwt.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Iat, out var issuedAt)
            || (DateTimeOffset.FromUnixTimeSeconds(issuedAt) - now).Duration() > IssuedAtWindow)
        {
            return (null, "The logout token's iat is missing or too far from now.");
        }

        if (!HasBackChannelEvent(jwt))
        {
            return (null, "The logout token has no back-channel logout event.");
        }

        if (jwt.TryGetPayloadValue<object>("nonce", out _))
        {
            return (null, "A logout token must not carry a nonce.");
        }

        var sessionId = jwt.TryGetPayloadValue<string>("sid", out var sid) && !string.IsNullOrEmpty(sid) ? sid : null;
        var subject = string.IsNullOrEmpty(jwt.Subject) ? null : jwt.Subject;
        if (sessionId is null && subject is null)
        {
            return (null, "The logout token names neither a sid nor a sub.");
        }

        if (string.IsNullOrEmpty(jwt.Id) || !Remember(jwt.Id, jwt.ValidTo, now))
        {
            return (null, "The logout token has no jti, or was received before.");
        }

        return (new LogoutClaims(sessionId, subject), null);
    }

    private static Task<TokenValidationResult> ValidateSignedAsync(string token, OpenIdConnectOptions options, Microsoft.IdentityModel.Protocols.OpenIdConnect.OpenIdConnectConfiguration configuration) =>
        Handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = configuration.Issuer,
            ValidAudience = options.ClientId,
            IssuerSigningKeys = configuration.SigningKeys,
            ValidTypes = ["logout+jwt"],
            ValidateLifetime = true,
            RequireExpirationTime = true,
            ClockSkew = TimeSpan.FromMinutes(1),
        });

    private static bool HasBackChannelEvent(JsonWebToken jwt)
    {
        try
        {
            using var payload = JsonDocument.Parse(Base64UrlEncoder.Decode(jwt.EncodedPayload));
            return payload.RootElement.TryGetProperty("events", out var events)
                && events.ValueKind == JsonValueKind.Object
                && events.TryGetProperty(BackChannelLogoutEvent, out var member)
                && member.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Records a jti until its token expires; <c>false</c> when it was seen before.</summary>
    private bool Remember(string id, DateTime validTo, DateTimeOffset now)
    {
        foreach (var (seen, until) in _seen)
        {
            if (until < now)
            {
                _seen.TryRemove(seen, out _);
            }
        }

        return _seen.TryAdd(id, new DateTimeOffset(validTo, TimeSpan.Zero).AddMinutes(5));
    }

    private static IResult Refuse(string description) =>
        Results.BadRequest(new Dictionary<string, string> { ["error"] = "invalid_request", ["error_description"] = description });
}

/// <summary>What a valid logout token names.</summary>
/// <param name="SessionId">The IdP's session id (<c>sid</c>), when present.</param>
/// <param name="Subject">The user (<c>sub</c>), when present.</param>
public sealed record LogoutClaims(string? SessionId, string? Subject);
