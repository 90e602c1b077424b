namespace IdentityServer.MultiSession.Events;

/// <summary>
/// The hooks of the multi-session extension, in the style of ASP.NET Core's <c>CookieAuthenticationEvents</c>: set the
/// <c>OnXxx</c> delegates on <see cref="MultiSessionOptions.Events"/>, or derive from this class, override the methods and name
/// the type in <see cref="MultiSessionOptions.EventsType"/> (it is then resolved from the request's or run's services).
/// Every event is raised after its change is committed to the store, and never for a change that was rolled back. An exception
/// thrown by a handler is logged and swallowed: the change has happened, and the request that made it carries on.
/// </summary>
public class MultiSessionEvents
{
    /// <summary>Invoked when a sign-in added a new session to a device (a new account on this browser).</summary>
    public Func<SessionEventContext, Task> OnSignedIn { get; set; } = _ => Task.CompletedTask;

    /// <summary>Invoked when another account of the device became the active one.</summary>
    public Func<SessionEventContext, Task> OnSwitched { get; set; } = _ => Task.CompletedTask;

    /// <summary>Invoked when an account already on the device signed in again (its session renewed in place, same <c>sid</c>).</summary>
    public Func<SessionEventContext, Task> OnReauthenticated { get; set; } = _ => Task.CompletedTask;

    /// <summary>Invoked once for every device session that ended, with the reason.</summary>
    public Func<SessionRevokedContext, Task> OnSessionRevoked { get; set; } = _ => Task.CompletedTask;

    /// <summary>Invoked when every account of a device was signed out at once.</summary>
    public Func<SignedOutAllContext, Task> OnSignedOutAll { get; set; } = _ => Task.CompletedTask;

    /// <summary>Invoked when a sign-in was refused because the device holds the maximum number of accounts.</summary>
    public Func<LimitRefusedContext, Task> OnLimitRefused { get; set; } = _ => Task.CompletedTask;

    /// <summary>Invoked when a back-channel logout notification was delivered to a client.</summary>
    public Func<LogoutNotificationContext, Task> OnLogoutNotificationDelivered { get; set; } = _ => Task.CompletedTask;

    /// <summary>Invoked when a back-channel logout notification failed for good (its last attempt failed).</summary>
    public Func<LogoutNotificationContext, Task> OnLogoutNotificationFailed { get; set; } = _ => Task.CompletedTask;

    /// <summary>Invokes <see cref="OnSignedIn"/>.</summary>
    public virtual Task SignedIn(SessionEventContext context) => OnSignedIn(context);

    /// <summary>Invokes <see cref="OnSwitched"/>.</summary>
    public virtual Task Switched(SessionEventContext context) => OnSwitched(context);

    /// <summary>Invokes <see cref="OnReauthenticated"/>.</summary>
    public virtual Task Reauthenticated(SessionEventContext context) => OnReauthenticated(context);

    /// <summary>Invokes <see cref="OnSessionRevoked"/>.</summary>
    public virtual Task SessionRevoked(SessionRevokedContext context) => OnSessionRevoked(context);

    /// <summary>Invokes <see cref="OnSignedOutAll"/>.</summary>
    public virtual Task SignedOutAll(SignedOutAllContext context) => OnSignedOutAll(context);

    /// <summary>Invokes <see cref="OnLimitRefused"/>.</summary>
    public virtual Task LimitRefused(LimitRefusedContext context) => OnLimitRefused(context);

    /// <summary>Invokes <see cref="OnLogoutNotificationDelivered"/>.</summary>
    public virtual Task LogoutNotificationDelivered(LogoutNotificationContext context) => OnLogoutNotificationDelivered(context);

    /// <summary>Invokes <see cref="OnLogoutNotificationFailed"/>.</summary>
    public virtual Task LogoutNotificationFailed(LogoutNotificationContext context) => OnLogoutNotificationFailed(context);
}
