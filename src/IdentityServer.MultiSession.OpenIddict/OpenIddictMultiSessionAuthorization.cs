using System.Security.Claims;
using IdentityServer.MultiSession.Authorization;
using IdentityServer.MultiSession.Sessions;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdentityServer.MultiSession.OpenIddict;

/// <summary>
/// The one call an OpenIddict host's authorization endpoint makes (and the library's end-session page): it maps OpenIddict's
/// request (prompt, <c>max_age</c>, <c>login_hint</c>, the validated <c>id_token_hint</c>) to the engine-neutral decision of
/// which account to use. The <c>sid</c> and <c>auth_time</c> of the chosen account are then added to the tokens by the
/// integration's sign-in handler: the host signs in the chosen account's identity and nothing else.
/// </summary>
public class OpenIddictMultiSessionAuthorization
{
    private readonly IAuthorizationAccountResolver _accounts;
    private readonly IEndSessionResolver _endSession;
    private readonly IDeviceSessionService _sessions;

    /// <summary>Creates the integration.</summary>
    public OpenIddictMultiSessionAuthorization(IAuthorizationAccountResolver accounts, IEndSessionResolver endSession, IDeviceSessionService sessions)
    {
        _accounts = accounts;
        _endSession = endSession;
        _sessions = sessions;
    }

    /// <summary>
    /// Decides the account for the current authorization request: use account X, show the picker, show the login page, or
    /// return an OIDC error. On <see cref="AuthorizationAccountDecisionKind.UseAccount"/> the client is recorded on the session.
    /// </summary>
    public virtual async Task<AuthorizationAccountDecision> DecideAsync(HttpContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenID Connect request cannot be retrieved: call this from OpenIddict's authorization endpoint.");

        string? hintSubject = null;
        if (!string.IsNullOrEmpty(request.IdTokenHint))
        {
            // A hint that does not validate (another IdP's token, a forged or expired one) is refused, never ignored:
            // ignoring it would hand out the active account to a request that named someone else.
            var hint = await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
            hintSubject = hint.Principal?.GetClaim(Claims.Subject);
            if (string.IsNullOrEmpty(hintSubject))
            {
                return AuthorizationAccountDecision.Fail(AuthorizationErrors.InvalidRequest, "The id_token_hint is not a valid ID token issued by this IdP.");
            }
        }

        var decision = await _accounts.ResolveAsync(context, new AuthorizationAccountRequest
        {
            ReturnUrl = BuildReturnUrl(context, request),
            Prompt = request.GetPromptValues().ToHashSet(StringComparer.Ordinal),
            MaxAge = request.MaxAge,
            LoginHint = request.LoginHint,
            IdTokenHintSubject = hintSubject,
            ClientId = request.ClientId,
        }, cancellationToken);

        if (decision is { Kind: AuthorizationAccountDecisionKind.UseAccount, Session: { } session })
        {
            // The sign-in that follows takes sid and auth_time from this session (see AttachSessionClaims).
            var transaction = context.Features.Get<OpenIddictServerAspNetCoreFeature>()?.Transaction
                ?? throw new InvalidOperationException("The OpenIddict server transaction cannot be retrieved.");
            transaction.Properties[OpenIddictMultiSessionProperties.Session] = session;
            if (!string.IsNullOrEmpty(request.ClientId))
            {
                await _sessions.RecordClientAsync(session.SessionId, request.ClientId, cancellationToken);
            }
        }

        return decision;
    }

    /// <summary>Decides what the current end-session request ends, matching its <c>id_token_hint</c> by <c>sid</c>, then <c>sub</c>.</summary>
    public virtual async Task<EndSessionDecision> DecideEndSessionAsync(HttpContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenID Connect request cannot be retrieved: call this from OpenIddict's end-session endpoint.");

        ClaimsPrincipal? hint = null;
        if (!string.IsNullOrEmpty(request.IdTokenHint))
        {
            hint = (await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme)).Principal;
        }

        return await _endSession.ResolveAsync(context, new EndSessionRequest
        {
            HasIdTokenHint = hint is not null,
            HintSessionId = hint?.GetClaim(MultiSessionDefaults.SessionIdClaimType),
            HintSubject = hint?.GetClaim(Claims.Subject),
            ClientId = !string.IsNullOrEmpty(request.ClientId) ? request.ClientId : hint?.GetAudiences().FirstOrDefault(),
        }, cancellationToken);
    }

    /// <summary>Carries out an end-session decision (see <see cref="IEndSessionResolver.ExecuteAsync"/>).</summary>
    public virtual Task EndSessionAsync(HttpContext context, EndSessionDecision decision, bool confirmed, CancellationToken cancellationToken = default) =>
        _endSession.ExecuteAsync(context, decision, confirmed, cancellationToken);

    private static string BuildReturnUrl(HttpContext context, OpenIddictRequest request)
    {
        var path = context.Request.PathBase + context.Request.Path;
        if (HttpMethods.IsGet(context.Request.Method))
        {
            return path + context.Request.QueryString;
        }

        // A POSTed authorization request comes back as a GET with the same parameters.
        var query = new QueryBuilder();
        foreach (var (name, value) in request.GetParameters())
        {
            if (name == MultiSessionDefaults.SelectionParameter)
            {
                continue;
            }

            if ((string?)value is { } item)
            {
                query.Add(name, item);
            }
        }

        return path + query.ToQueryString();
    }
}
