namespace IdentityServer.MultiSession;

/// <summary>
/// Thrown by a sign-in when the device already holds <see cref="MultiSessionOptions.MaximumSessions"/> accounts and
/// <see cref="MultiSessionOptions.OnLimitReached"/> is <see cref="LimitReachedBehavior.Reject"/> (SPEC §3.3).
/// </summary>
public sealed class MultiSessionLimitReachedException : InvalidOperationException
{
    /// <summary>Creates the exception for a device that holds <paramref name="maximumSessions"/> accounts.</summary>
    public MultiSessionLimitReachedException(int maximumSessions)
        : base(FormatMessage(maximumSessions))
    {
        MaximumSessions = maximumSessions;
    }

    /// <summary>The limit that was reached.</summary>
    public int MaximumSessions { get; }

    /// <summary>The message shown to the user: "This browser already has N accounts signed in. Sign out of one to add another."</summary>
    public static string FormatMessage(int maximumSessions) =>
        $"This browser already has {maximumSessions} {(maximumSessions == 1 ? "account" : "accounts")} signed in. Sign out of one to add another.";
}
