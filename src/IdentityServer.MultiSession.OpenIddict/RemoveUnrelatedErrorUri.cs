using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace IdentityServer.MultiSession.OpenIddict;

/// <summary>
/// When a host answers an authorization, token or userinfo request with an error of its own (for example
/// <c>account_selection_required</c> or <c>login_required</c>), OpenIddict still attaches the <c>error_uri</c> of its default
/// error for that endpoint (a page about "access_denied"), which describes something else. This removes that link; an
/// <c>error_uri</c> the host set itself is kept.
/// </summary>
internal sealed class RemoveUnrelatedErrorUri : IOpenIddictServerHandler<ProcessChallengeContext>
{
    private const string DefaultErrorUriPrefix = "https://documentation.openiddict.com/errors/";

    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessChallengeContext>()
            .UseSingletonHandler<RemoveUnrelatedErrorUri>()
            .SetOrder(OpenIddictServerHandlers.AttachDefaultChallengeError.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ProcessChallengeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var defaultError = context.EndpointType switch
        {
            OpenIddictServerEndpointType.Authorization or OpenIddictServerEndpointType.EndUserVerification => Errors.AccessDenied,
            OpenIddictServerEndpointType.Token => Errors.InvalidGrant,
            OpenIddictServerEndpointType.UserInfo => Errors.InsufficientAccess,
            _ => null,
        };

        if (defaultError is not null
            && context.Response.ErrorUri is { } uri
            && uri.StartsWith(DefaultErrorUriPrefix, StringComparison.OrdinalIgnoreCase)
            && !string.Equals(context.Response.Error, defaultError, StringComparison.Ordinal))
        {
            context.Response.ErrorUri = null;
        }

        return default;
    }
}
