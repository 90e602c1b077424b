using IdentityServer.MultiSession.Sessions;

namespace IdentityServer.MultiSession.Events;

/// <summary>
/// The context of a sign-out of every account on a device (the IdP's sign-out, "sign out of all accounts" in the picker or the
/// API, or RP-initiated logout ending every account). Each ended session also raises its own revocation event.
/// </summary>
public sealed class SignedOutAllContext : MultiSessionEventContext
{
    /// <summary>Creates the context.</summary>
    /// <param name="services">The services of the request that raised the event.</param>
    /// <param name="reason">Who asked for the sign-out: <see cref="SessionEndReason.User"/> or <see cref="SessionEndReason.RelyingPartyLogout"/>.</param>
    /// <param name="sessions">The sessions that ended.</param>
    public SignedOutAllContext(IServiceProvider services, SessionEndReason reason, IReadOnlyList<EndedSession> sessions)
        : base(services)
    {
        Reason = reason;
        Sessions = sessions ?? throw new ArgumentNullException(nameof(sessions));
    }

    /// <summary>Who asked for the sign-out.</summary>
    public SessionEndReason Reason { get; }

    /// <summary>The sessions that ended (user id and <c>sid</c> of each).</summary>
    public IReadOnlyList<EndedSession> Sessions { get; }
}
