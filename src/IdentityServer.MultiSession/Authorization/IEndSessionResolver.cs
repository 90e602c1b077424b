using Microsoft.AspNetCore.Http;

namespace IdentityServer.MultiSession.Authorization;

/// <summary>
/// Decides what an end-session request ends: the hint is matched by <c>sid</c> first, then <c>sub</c>; a request without a
/// hint, or whose hint names no session on this device, is suspect and needs the user's confirmation (BEHAVIOUR.md §4).
/// </summary>
public interface IEndSessionResolver
{
    /// <summary>Decides for <paramref name="request"/>.</summary>
    Task<EndSessionDecision> ResolveAsync(HttpContext context, EndSessionRequest request, CancellationToken cancellationToken = default);

    /// <summary>Carries out <paramref name="decision"/>; <paramref name="confirmed"/> is <c>true</c> when the user confirmed a suspect request.</summary>
    Task ExecuteAsync(HttpContext context, EndSessionDecision decision, bool confirmed, CancellationToken cancellationToken = default);
}
