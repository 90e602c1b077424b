namespace IdentityServer.MultiSession;

/// <summary>
/// Thrown by a sign-in when the device already holds <see cref="MultiSessionOptions.MaximumSessions"/> accounts and
/// <see cref="MultiSessionOptions.OnLimitReached"/> is <see cref="LimitReachedBehavior.Reject"/> (BEHAVIOUR.md §3.3).
/// </summary>
public sealed class MultiSessionLimitReachedException : InvalidOperationException
{
    /// <summary>Creates the exception for a device that holds <paramref name="maximumSessions"/> accounts.</summary>
    public MultiSessionLimitReachedException(int maximumSessions)
        : base(FormatMessage(maximumSessions))
    {
        MaximumSessions = maximumSessions;
    }

    /// <summary>
    /// Creates the exception for a device that holds <paramref name="sessionCount"/> accounts, which may be more than
    /// <paramref name="maximumSessions"/> after the limit was lowered.
    /// </summary>
    public MultiSessionLimitReachedException(int maximumSessions, int sessionCount)
        : base(FormatMessage(maximumSessions, sessionCount))
    {
        MaximumSessions = maximumSessions;
        SessionCount = Math.Max(sessionCount, maximumSessions);
    }

    /// <summary>The limit that was reached.</summary>
    public int MaximumSessions { get; }

    /// <summary>How many accounts the device holds.</summary>
    public int SessionCount { get; }

    /// <summary>The message shown to the user: "This browser already has N accounts signed in. Sign out of one to add another."</summary>
    internal static string FormatMessage(int maximumSessions) => FormatMessage(maximumSessions, maximumSessions);

    /// <summary>
    /// The message shown to the user, with the real numbers: at the limit, "This browser already has 5 accounts signed in. Sign
    /// out of one to add another."; above a lowered limit, "This browser already has 6 accounts signed in; the limit is now 3.
    /// Sign out of 4 to add another."
    /// </summary>
    internal static string FormatMessage(int maximumSessions, int sessionCount)
    {
        if (sessionCount <= maximumSessions)
        {
            return $"This browser already has {Accounts(maximumSessions)} signed in. Sign out of one to add another.";
        }

        var toSignOut = sessionCount - maximumSessions + 1;
        return $"This browser already has {Accounts(sessionCount)} signed in; the limit is now {maximumSessions}. Sign out of {toSignOut} to add another.";
    }

    private static string Accounts(int count) => count == 1 ? "1 account" : $"{count} accounts";
}
