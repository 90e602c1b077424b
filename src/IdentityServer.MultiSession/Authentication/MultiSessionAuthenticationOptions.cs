using Microsoft.AspNetCore.Authentication;

namespace IdentityServer.MultiSession.Authentication;

/// <summary>
/// Options of <see cref="MultiSessionAuthenticationHandler"/>. The behaviour itself is configured by <see cref="MultiSessionOptions"/>;
/// these carry the handler's events.
/// </summary>
public class MultiSessionAuthenticationOptions : AuthenticationSchemeOptions
{
    /// <summary>Creates the options with empty events.</summary>
    public MultiSessionAuthenticationOptions() => Events = new MultiSessionAuthenticationEvents();

    /// <summary>The events raised by the handler.</summary>
    public new MultiSessionAuthenticationEvents Events
    {
        get => (MultiSessionAuthenticationEvents)base.Events!;
        set => base.Events = value;
    }
}
