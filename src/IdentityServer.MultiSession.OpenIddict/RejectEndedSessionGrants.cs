using Microsoft.Extensions.Logging;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace IdentityServer.MultiSession.OpenIddict;

/// <summary>
/// Token endpoint: refuses the redemption of an authorization code and the use of a refresh token with <c>invalid_grant</c>
/// when the device session they were issued through has ended (or they name none). The live session is kept in the
/// transaction for <see cref="AttachSessionClaims"/>.
/// </summary>
internal sealed class RejectEndedSessionGrants(SessionValidity validity, ILogger<RejectEndedSessionGrants> logger)
    : IOpenIddictServerHandler<ValidateTokenRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenRequestContext>()
            .UseScopedHandler<RejectEndedSessionGrants>()
            .SetOrder(OpenIddictServerHandlers.Exchange.ValidateAuthentication.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ValidateTokenRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var principal = context.Request.IsAuthorizationCodeGrantType() ? context.AuthorizationCodePrincipal
            : context.Request.IsRefreshTokenGrantType() ? context.RefreshTokenPrincipal
            : null;
        if (principal is null)
        {
            return;
        }

        var session = await validity.FindLiveSessionAsync(principal, context.CancellationToken);
        if (session is null)
        {
            Log.EndedSessionGrantRefused(logger, context.Request.GrantType, context.ClientId, principal.FindFirst(MultiSessionDefaults.SessionIdClaimType)?.Value);
            context.Reject(error: Errors.InvalidGrant, description: "The account session this grant was issued through has ended.");
            return;
        }

        context.Transaction.Properties[OpenIddictMultiSessionProperties.Session] = session;
    }
}
