using System.Security.Claims;
using System.Text.Json;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace IdentityServer.MultiSession.OpenIddict;

/// <summary>
/// Authorization endpoint: ties the codes and refresh tokens about to be issued to one OpenIddict authorization per
/// (device session, client), with the session's <c>sid</c> in the authorization's properties, so that
/// <see cref="OpenIddictSessionTokenRevoker"/> can revoke everything issued through a session with the authorization manager.
/// A valid one for the same session, client and scopes is reused; otherwise an ad-hoc authorization is created (pruned by
/// OpenIddict once its tokens are gone). A host that attaches its own authorization (a remembered consent) keeps it.
/// </summary>
internal sealed class AttachSessionAuthorization(
    IOpenIddictAuthorizationManager authorizations,
    IOpenIddictApplicationManager applications,
    TimeProvider time) : IOpenIddictServerHandler<ProcessSignInContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessSignInContext>()
            .UseScopedHandler<AttachSessionAuthorization>()
            .SetOrder(OpenIddictServerHandlers.AttachAuthorization.Descriptor.Order - 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ProcessSignInContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.EndpointType != OpenIddictServerEndpointType.Authorization
            || context.Options.DisableAuthorizationStorage
            || (!context.GenerateAuthorizationCode && !context.GenerateRefreshToken))
        {
            return;
        }

        var principal = context.Principal!;
        var sid = principal.GetClaim(MultiSessionDefaults.SessionIdClaimType);
        var subject = principal.GetClaim(Claims.Subject);
        if (!string.IsNullOrEmpty(principal.GetAuthorizationId()) || string.IsNullOrEmpty(sid) || string.IsNullOrEmpty(subject))
        {
            return;
        }

        string? applicationId = null;
        if (!string.IsNullOrEmpty(context.Request.ClientId))
        {
            var application = await applications.FindByClientIdAsync(context.Request.ClientId, context.CancellationToken)
                ?? throw new InvalidOperationException("The client application of the authorization request cannot be found.");
            applicationId = await applications.GetIdAsync(application, context.CancellationToken);
        }

        var scopes = principal.GetScopes();
        await foreach (var existing in authorizations.FindAsync(subject, applicationId, Statuses.Valid, AuthorizationTypes.AdHoc, scopes, context.CancellationToken))
        {
            var properties = await authorizations.GetPropertiesAsync(existing, context.CancellationToken);
            if (properties.TryGetValue(OpenIddictMultiSessionProperties.AuthorizationSessionId, out var value)
                && value.ValueKind == JsonValueKind.String
                && value.GetString() == sid)
            {
                principal.SetAuthorizationId(await authorizations.GetIdAsync(existing, context.CancellationToken));
                return;
            }
        }

        var descriptor = new OpenIddictAuthorizationDescriptor
        {
            ApplicationId = applicationId,
            CreationDate = time.GetUtcNow(),
            Principal = principal,
            Status = Statuses.Valid,
            Subject = subject,
            Type = AuthorizationTypes.AdHoc,
        };
        descriptor.Scopes.UnionWith(scopes);
        descriptor.Properties[OpenIddictMultiSessionProperties.AuthorizationSessionId] = JsonSerializer.SerializeToElement(sid);
        var authorization = await authorizations.CreateAsync(descriptor, context.CancellationToken);
        principal.SetAuthorizationId(await authorizations.GetIdAsync(authorization, context.CancellationToken));
    }
}
