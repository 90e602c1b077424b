using Microsoft.AspNetCore.Http;

namespace IdentityServer.MultiSession.Events;

/// <summary>
/// What every multi-session event carries: who (user id, the session's <c>sid</c>, the device), for which client when it is
/// known, when, and the trace id of the request or background run that made the change (the one in the log lines and error
/// pages). Events are raised only after the change is committed to the store.
/// </summary>
public abstract class MultiSessionEventContext
{
    /// <summary>Creates the context.</summary>
    /// <param name="services">The services of the request or background run that raised the event.</param>
    protected MultiSessionEventContext(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        Services = services;
    }

    /// <summary>The services of the request or background run that raised the event (scoped).</summary>
    public IServiceProvider Services { get; }

    /// <summary>The request that made the change; <c>null</c> for a background run (the cleanup, the logout sender) or host code.</summary>
    public HttpContext? HttpContext { get; init; }

    /// <summary>The user the session belongs (or was to belong) to; <c>null</c> only where no single account is concerned.</summary>
    public string? UserId { get; init; }

    /// <summary>The device session id (the OIDC <c>sid</c>), when one session is concerned.</summary>
    public string? SessionId { get; init; }

    /// <summary>The id of the device (never its secret), when known.</summary>
    public string? DeviceId { get; init; }

    /// <summary>The OIDC client concerned, when known (the client that asked for a logout, the client notified).</summary>
    public string? ClientId { get; init; }

    /// <summary>When the change was made (the host's <see cref="TimeProvider"/>).</summary>
    public DateTimeOffset Time { get; init; }

    /// <summary>The W3C trace id of <see cref="System.Diagnostics.Activity.Current"/> when the change was made, if any.</summary>
    public string? TraceId { get; init; }
}
