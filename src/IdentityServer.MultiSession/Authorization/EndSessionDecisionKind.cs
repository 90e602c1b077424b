namespace IdentityServer.MultiSession.Authorization;

/// <summary>What the end-session endpoint does (BEHAVIOUR.md §3.7, §4).</summary>
public enum EndSessionDecisionKind
{
    /// <summary>Nothing is signed in on this device: nothing to end; redirect back to the client.</summary>
    NothingSignedIn = 1,

    /// <summary>End every session on the device.</summary>
    SignOutAll = 2,

    /// <summary>End only <see cref="EndSessionDecision.Session"/> (<see cref="EndSessionScope.HintedAccount"/>).</summary>
    SignOutAccount = 3,

    /// <summary>The request is suspect (no hint, or a hint naming no session here): ask the user before ending anything.</summary>
    Confirm = 4,
}
