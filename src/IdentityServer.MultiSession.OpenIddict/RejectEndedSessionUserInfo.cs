using Microsoft.Extensions.Logging;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace IdentityServer.MultiSession.OpenIddict;

/// <summary>
/// Userinfo endpoint: refuses an access token whose device session has ended (or that names none) with 401
/// <c>invalid_token</c>, although the token itself has not expired yet.
/// </summary>
internal sealed class RejectEndedSessionUserInfo(SessionValidity validity, ILogger<RejectEndedSessionUserInfo> logger)
    : IOpenIddictServerHandler<ValidateUserInfoRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateUserInfoRequestContext>()
            .UseScopedHandler<RejectEndedSessionUserInfo>()
            .SetOrder(OpenIddictServerHandlers.UserInfo.ValidateAuthentication.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ValidateUserInfoRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var principal = context.AccessTokenPrincipal;
        if (principal is null)
        {
            return;
        }

        var session = await validity.FindLiveSessionAsync(principal, context.CancellationToken);
        if (session is null)
        {
            Log.EndedSessionUserInfoRefused(logger, principal.FindFirst(MultiSessionDefaults.SessionIdClaimType)?.Value);
            context.Reject(error: Errors.InvalidToken, description: "The account session this access token was issued through has ended.");
            return;
        }

        context.Transaction.Properties[OpenIddictMultiSessionProperties.Session] = session;
    }
}
