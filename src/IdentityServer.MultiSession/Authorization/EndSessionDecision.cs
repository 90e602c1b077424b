using IdentityServer.MultiSession.Sessions;

namespace IdentityServer.MultiSession.Authorization;

/// <summary>The decision for an end-session (RP-initiated logout) request.</summary>
/// <param name="Kind">What to do.</param>
/// <param name="Session">The session the <c>id_token_hint</c> names on this device, if any.</param>
public sealed record EndSessionDecision(EndSessionDecisionKind Kind, DeviceSession? Session)
{
    /// <summary>The client that asked for the logout (its <c>client_id</c>, or the audience of its <c>id_token_hint</c>), when known.</summary>
    public string? ClientId { get; init; }
}
