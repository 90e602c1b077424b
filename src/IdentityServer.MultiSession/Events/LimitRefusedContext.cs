namespace IdentityServer.MultiSession.Events;

/// <summary>The context of a sign-in refused because the device already holds the maximum number of accounts.</summary>
public sealed class LimitRefusedContext : MultiSessionEventContext
{
    /// <summary>Creates the context.</summary>
    /// <param name="services">The services of the request that raised the event.</param>
    /// <param name="sessionCount">How many accounts the device holds.</param>
    /// <param name="maximumSessions">The limit in force.</param>
    public LimitRefusedContext(IServiceProvider services, int sessionCount, int maximumSessions)
        : base(services)
    {
        SessionCount = sessionCount;
        MaximumSessions = maximumSessions;
    }

    /// <summary>How many accounts the device holds (above the limit when it was lowered).</summary>
    public int SessionCount { get; }

    /// <summary>The limit in force.</summary>
    public int MaximumSessions { get; }
}
