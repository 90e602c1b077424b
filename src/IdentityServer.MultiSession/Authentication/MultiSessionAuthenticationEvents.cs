using System.Security.Claims;
using IdentityServer.MultiSession.Sessions;
using Microsoft.AspNetCore.Http;

namespace IdentityServer.MultiSession.Authentication;

/// <summary>
/// Events of <see cref="MultiSessionAuthenticationHandler"/>, in the style of ASP.NET Core's cookie authentication events.
/// </summary>
public class MultiSessionAuthenticationEvents
{
    /// <summary>Raised when a request is authenticated by a device session; set <see cref="MultiSessionValidatePrincipalContext.Rejected"/> to refuse it.</summary>
    public Func<MultiSessionValidatePrincipalContext, Task> OnValidatePrincipal { get; set; } = _ => Task.CompletedTask;

    /// <summary>Raised after a sign-in added a device session.</summary>
    public Func<HttpContext, DeviceSession, Task> OnSignedIn { get; set; } = (_, _) => Task.CompletedTask;

    /// <summary>Raised after a sign-out ended every session on the device.</summary>
    public Func<HttpContext, Task> OnSignedOut { get; set; } = _ => Task.CompletedTask;

    /// <summary>Invokes <see cref="OnValidatePrincipal"/>.</summary>
    public virtual Task ValidatePrincipal(MultiSessionValidatePrincipalContext context) => OnValidatePrincipal(context);

    /// <summary>Invokes <see cref="OnSignedIn"/>.</summary>
    public virtual Task SignedIn(HttpContext context, DeviceSession session) => OnSignedIn(context, session);

    /// <summary>Invokes <see cref="OnSignedOut"/>.</summary>
    public virtual Task SignedOut(HttpContext context) => OnSignedOut(context);
}

/// <summary>The context of <see cref="MultiSessionAuthenticationEvents.OnValidatePrincipal"/>.</summary>
/// <param name="HttpContext">The request.</param>
/// <param name="Session">The device session that authenticated it.</param>
/// <param name="Principal">The principal.</param>
public sealed record MultiSessionValidatePrincipalContext(HttpContext HttpContext, DeviceSession Session, ClaimsPrincipal Principal)
{
    /// <summary>Set to <c>true</c> to treat the request as not authenticated.</summary>
    public bool Rejected { get; set; }
}
