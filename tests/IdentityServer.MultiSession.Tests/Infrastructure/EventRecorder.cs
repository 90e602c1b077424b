using System.Collections.Concurrent;
using IdentityServer.MultiSession.Events;

namespace IdentityServer.MultiSession.Tests.Infrastructure;

/// <summary>Records every multi-session event a host raises, through the <c>OnXxx</c> delegates of <see cref="MultiSessionEvents"/>.</summary>
public sealed class EventRecorder
{
    public ConcurrentQueue<(string Kind, MultiSessionEventContext Context)> Raised { get; } = new();

    /// <summary>Called by every handler before it records (to look at the database while the event is raised).</summary>
    public Func<string, MultiSessionEventContext, Task>? Probe { get; set; }

    /// <summary>When set, every handler throws it after recording (a broken audit hook).</summary>
    public Exception? Throw { get; set; }

    public MultiSessionEvents CreateEvents() => new()
    {
        OnSignedIn = c => Record("SignedIn", c),
        OnSwitched = c => Record("Switched", c),
        OnReauthenticated = c => Record("Reauthenticated", c),
        OnSessionRevoked = c => Record("SessionRevoked", c),
        OnSignedOutAll = c => Record("SignedOutAll", c),
        OnLimitRefused = c => Record("LimitRefused", c),
        OnLogoutNotificationDelivered = c => Record("LogoutNotificationDelivered", c),
        OnLogoutNotificationFailed = c => Record("LogoutNotificationFailed", c),
    };

    public IReadOnlyList<T> Of<T>(string kind)
        where T : MultiSessionEventContext =>
        Raised.Where(e => e.Kind == kind).Select(e => (T)e.Context).ToList();

    public IReadOnlyList<string> Kinds => Raised.Select(e => e.Kind).ToList();

    public void Clear() => Raised.Clear();

    private async Task Record(string kind, MultiSessionEventContext context)
    {
        if (Probe is { } probe)
        {
            await probe(kind, context);
        }

        Raised.Enqueue((kind, context));
        if (Throw is { } exception)
        {
            throw exception;
        }
    }
}
