namespace IdentityServer.MultiSession.Events;

/// <summary>The context of a sign-in that added a session, a switch of the active account, or a re-authentication in place.</summary>
public sealed class SessionEventContext : MultiSessionEventContext
{
    /// <summary>Creates the context.</summary>
    /// <param name="services">The services of the request that raised the event.</param>
    public SessionEventContext(IServiceProvider services)
        : base(services)
    {
    }

    /// <summary>How many accounts the device holds after a sign-in or re-authentication; <c>null</c> for a switch.</summary>
    public int? AccountsOnDevice { get; init; }
}
