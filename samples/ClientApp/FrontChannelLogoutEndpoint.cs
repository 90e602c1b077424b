using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;

namespace ClientApp;

/// <summary>
/// <c>GET /frontchannel-logout?iss=…&amp;sid=…</c>: loaded by the browser in a hidden frame of the IdP's page when one account
/// signs out (OpenID Connect Front-Channel Logout 1.0). The <c>iss</c> must be the IdP's issuer and the <c>sid</c> present;
/// the local sessions with that <c>sid</c> end (they are kept server-side in <see cref="SessionTicketStore"/>, so this works
/// even when the browser sends no cookie to the frame). Anything else gets 400 and changes nothing.
/// </summary>
public sealed class FrontChannelLogoutEndpoint
{
    /// <summary>The path of the endpoint, registered at the IdP as the client's front-channel logout URI.</summary>
    public const string Path = "/frontchannel-logout";

    private readonly IOptionsMonitor<OpenIdConnectOptions> _oidc;
    private readonly SessionTicketStore _sessions;
    private readonly ILogger _logger;

    /// <summary>Creates the endpoint.</summary>
    public FrontChannelLogoutEndpoint(IOptionsMonitor<OpenIdConnectOptions> oidc, SessionTicketStore sessions, ILogger<FrontChannelLogoutEndpoint> logger)
    {
        _oidc = oidc;
        _sessions = sessions;
        _logger = logger;
    }

    /// <summary>Handles one GET.</summary>
    public async Task<IResult> HandleAsync(HttpContext context)
    {
        context.Response.Headers.CacheControl = "no-store";
        var iss = context.Request.Query["iss"];
        var sid = context.Request.Query["sid"];
        if (iss.Count != 1 || sid.Count != 1 || string.IsNullOrEmpty(sid.ToString()))
        {
            return Refuse("The request must carry one iss and one sid.");
        }

        var options = _oidc.Get(OpenIdConnectDefaults.AuthenticationScheme);
        if (options.ConfigurationManager is null)
        {
            return Refuse("The OpenID Connect configuration is not available.");
        }

        var configuration = await options.ConfigurationManager.GetConfigurationAsync(context.RequestAborted);
        if (!string.Equals(iss.ToString(), configuration.Issuer, StringComparison.Ordinal))
        {
            return Refuse("The iss is not this client's IdP.");
        }

        var ended = _sessions.RemoveBySession(sid.ToString(), subject: null);
        _logger.LogInformation("Front-channel logout for session {SessionId}: {Count} local sessions ended.", sid.ToString(), ended);
        return Results.Content("<!doctype html><html lang=\"en\"><title>Signed out</title></html>", "text/html; charset=utf-8");
    }

    private static IResult Refuse(string message) =>
        Results.Content(message, "text/plain; charset=utf-8", statusCode: StatusCodes.Status400BadRequest);
}
