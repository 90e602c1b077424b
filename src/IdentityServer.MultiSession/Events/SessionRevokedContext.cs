namespace IdentityServer.MultiSession.Events;

/// <summary>The context of the end of one device session (raised once per session, whatever ended it).</summary>
public sealed class SessionRevokedContext : MultiSessionEventContext
{
    /// <summary>Creates the context.</summary>
    /// <param name="services">The services of the request or background run that raised the event.</param>
    /// <param name="reason">Why the session ended.</param>
    public SessionRevokedContext(IServiceProvider services, SessionEndReason reason)
        : base(services) => Reason = reason;

    /// <summary>Why the session ended.</summary>
    public SessionEndReason Reason { get; }
}
