using System.Text.Json;
using IdentityServer.MultiSession.Sessions;
using Microsoft.Extensions.Logging;
using OpenIddict.Abstractions;

namespace IdentityServer.MultiSession.OpenIddict;

/// <summary>
/// <see cref="ISessionTokenRevoker"/> for OpenIddict: finds the user's authorizations whose <c>sid</c> property (written by
/// <see cref="AttachSessionAuthorization"/>) names an ended session, revokes them and every token issued under them.
/// Idempotent: revoking twice changes nothing more.
/// </summary>
internal sealed class OpenIddictSessionTokenRevoker(
    IOpenIddictAuthorizationManager authorizations,
    IOpenIddictTokenManager tokens,
    ILogger<OpenIddictSessionTokenRevoker> logger) : ISessionTokenRevoker
{
    public async Task<int> RevokeTokensOfSessionsAsync(IEnumerable<EndedSession> sessions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        var revoked = 0;
        foreach (var user in sessions.GroupBy(s => s.UserId, StringComparer.Ordinal))
        {
            var sids = user.Select(s => s.SessionId).ToHashSet(StringComparer.Ordinal);
            revoked += await RevokeAsync(user.Key, sids.Contains, cancellationToken);
        }

        return revoked;
    }

    public Task<int> RevokeTokensOfUserSessionsAsync(string userId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        return RevokeAsync(userId, _ => true, cancellationToken);
    }

    private async Task<int> RevokeAsync(string userId, Func<string, bool> ended, CancellationToken cancellationToken)
    {
        // Collected first: the store must not change while its results are being read.
        var matches = new List<(object Authorization, string Sid)>();
        await foreach (var authorization in authorizations.FindBySubjectAsync(userId, cancellationToken))
        {
            var properties = await authorizations.GetPropertiesAsync(authorization, cancellationToken);
            if (properties.TryGetValue(OpenIddictMultiSessionProperties.AuthorizationSessionId, out var value)
                && value.ValueKind == JsonValueKind.String
                && value.GetString() is { } sid
                && ended(sid))
            {
                matches.Add((authorization, sid));
            }
        }

        var revoked = 0;
        foreach (var (authorization, sid) in matches)
        {
            var id = await authorizations.GetIdAsync(authorization, cancellationToken);
            if (await authorizations.HasStatusAsync(authorization, OpenIddictConstants.Statuses.Valid, cancellationToken)
                && await authorizations.TryRevokeAsync(authorization, cancellationToken))
            {
                revoked++;
            }

            var count = id is null ? 0 : await tokens.RevokeByAuthorizationIdAsync(id, cancellationToken);
            Log.SessionTokensRevoked(logger, sid, id, count);
        }

        return revoked;
    }
}
