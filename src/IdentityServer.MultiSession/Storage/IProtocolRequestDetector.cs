using Microsoft.AspNetCore.Http;

namespace IdentityServer.MultiSession.Storage;

/// <summary>
/// Tells the device lookup cache that a request is an OpenID Connect protocol request (authorization, token, userinfo,
/// end-session, ...), which always reads the database. An OIDC engine integration registers one.
/// </summary>
internal interface IProtocolRequestDetector
{
    /// <summary><c>true</c> when the OIDC engine recognised <paramref name="context"/> as one of its endpoints.</summary>
    bool IsProtocolRequest(HttpContext context);
}
