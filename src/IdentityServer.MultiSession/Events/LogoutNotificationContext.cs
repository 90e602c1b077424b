namespace IdentityServer.MultiSession.Events;

/// <summary>
/// The context of a back-channel logout notification that was delivered to a client, or that failed for good after its last
/// attempt. <see cref="MultiSessionEventContext.UserId"/> is the token's <c>sub</c>, <see cref="MultiSessionEventContext.SessionId"/>
/// its <c>sid</c>, <see cref="MultiSessionEventContext.ClientId"/> the client notified.
/// </summary>
public sealed class LogoutNotificationContext : MultiSessionEventContext
{
    /// <summary>Creates the context.</summary>
    /// <param name="services">The services of the sender's run.</param>
    /// <param name="attempt">The number of the attempt that delivered or finally failed (1 for the first).</param>
    /// <param name="error">Why the last attempt failed (an HTTP status, a timeout); <c>null</c> when delivered.</param>
    public LogoutNotificationContext(IServiceProvider services, int attempt, string? error)
        : base(services)
    {
        Attempt = attempt;
        Error = error;
    }

    /// <summary>The number of the attempt that delivered or finally failed (1 for the first).</summary>
    public int Attempt { get; }

    /// <summary>Why the last attempt failed; <c>null</c> when delivered.</summary>
    public string? Error { get; }
}
