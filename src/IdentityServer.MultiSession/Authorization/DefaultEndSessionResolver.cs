using IdentityServer.MultiSession.Sessions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace IdentityServer.MultiSession.Authorization;

/// <summary>Default <see cref="IEndSessionResolver"/>.</summary>
public class DefaultEndSessionResolver : IEndSessionResolver
{
    private readonly IDeviceSessionService _sessions;
    private readonly IOptionsMonitor<MultiSessionOptions> _options;

    /// <summary>Creates the resolver.</summary>
    public DefaultEndSessionResolver(IDeviceSessionService sessions, IOptionsMonitor<MultiSessionOptions> options)
    {
        _sessions = sessions;
        _options = options;
    }

    /// <inheritdoc />
    public virtual async Task<EndSessionDecision> ResolveAsync(HttpContext context, EndSessionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return await DecideAsync(context, request, cancellationToken) with { ClientId = request.ClientId };
    }

    private async Task<EndSessionDecision> DecideAsync(HttpContext context, EndSessionRequest request, CancellationToken cancellationToken)
    {
        var sessions = await _sessions.ListAsync(context, cancellationToken);
        if (sessions.Count == 0)
        {
            return new EndSessionDecision(EndSessionDecisionKind.NothingSignedIn, null);
        }

        if (!request.HasIdTokenHint)
        {
            return new EndSessionDecision(EndSessionDecisionKind.Confirm, null);
        }

        var hinted = (request.HintSessionId is { } sid ? sessions.FirstOrDefault(s => s.SessionId == sid) : null)
            ?? (request.HintSubject is { } sub ? sessions.FirstOrDefault(s => s.UserId == sub) : null);
        if (hinted is null)
        {
            return new EndSessionDecision(EndSessionDecisionKind.Confirm, null);
        }

        return _options.CurrentValue.EndSessionScope == EndSessionScope.HintedAccount
            ? new EndSessionDecision(EndSessionDecisionKind.SignOutAccount, hinted)
            : new EndSessionDecision(EndSessionDecisionKind.SignOutAll, hinted);
    }

    /// <inheritdoc />
    public virtual async Task ExecuteAsync(HttpContext context, EndSessionDecision decision, bool confirmed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(decision);
        switch (decision.Kind)
        {
            case EndSessionDecisionKind.SignOutAll:
            case EndSessionDecisionKind.Confirm when confirmed:
                await _sessions.SignOutAsync(context, SessionEndReason.RelyingPartyLogout, decision.ClientId, cancellationToken);
                break;
            case EndSessionDecisionKind.SignOutAccount:
                await _sessions.SignOutAccountAsync(context, decision.Session!.SessionToken, SessionEndReason.RelyingPartyLogout, decision.ClientId, cancellationToken);
                break;
            case EndSessionDecisionKind.Confirm:
                throw new InvalidOperationException("A suspect end-session request ends nothing until the user confirms it.");
        }
    }
}
