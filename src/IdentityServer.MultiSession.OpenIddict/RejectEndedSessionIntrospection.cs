using Microsoft.Extensions.Logging;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace IdentityServer.MultiSession.OpenIddict;

/// <summary>
/// Introspection endpoint: a token issued through a device session that has ended is reported inactive
/// (<c>{"active":false}</c>, as OpenIddict answers for any <c>invalid_token</c>). Tokens that name no session (for example
/// a client's own client-credentials token) are left to OpenIddict's usual checks.
/// </summary>
internal sealed class RejectEndedSessionIntrospection(SessionValidity validity, ILogger<RejectEndedSessionIntrospection> logger)
    : IOpenIddictServerHandler<ValidateIntrospectionRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateIntrospectionRequestContext>()
            .UseScopedHandler<RejectEndedSessionIntrospection>()
            .SetOrder(OpenIddictServerHandlers.Introspection.ValidateAuthorizedParty.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ValidateIntrospectionRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var principal = context.GenericTokenPrincipal;
        var sid = principal?.FindFirst(MultiSessionDefaults.SessionIdClaimType)?.Value;
        if (principal is null || string.IsNullOrEmpty(sid))
        {
            return;
        }

        if (await validity.FindLiveSessionAsync(principal, context.CancellationToken) is null)
        {
            Log.EndedSessionIntrospected(logger, context.ClientId, sid);
            context.Reject(error: Errors.InvalidToken, description: "The account session this token was issued through has ended.");
        }
    }
}
