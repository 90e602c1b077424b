using System.Collections.Immutable;
using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using IdentityServer.MultiSession.Sessions;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace IdentityServer.MultiSession.OpenIddict;

/// <summary>
/// Sign-in at the authorization endpoint and at the token endpoint (code and refresh grants): puts the device session's
/// <c>sid</c>, <c>auth_time</c> and <c>amr</c> into the ID token and the access token, and gives the access token its audiences.
/// </summary>
/// <remarks>
/// <para>At the authorization endpoint the session is the one <see cref="OpenIddictMultiSessionAuthorization.DecideAsync"/>
/// chose for this request; signing in without that decision, or as another account, is a programming error and throws.
/// At the token endpoint it is the live session the code or refresh token was issued through (checked by
/// <see cref="RejectEndedSessionGrants"/>), so a host that rebuilds the identity from its user store keeps the <c>sid</c>.</para>
/// <para>Audiences: when the host set no resources, they are the resources of the granted scopes (OpenIddict's scope store);
/// when no granted scope names a resource, the IdP's own issuer, for the access token is then good for userinfo only.</para>
/// </remarks>
internal sealed class AttachSessionClaims(IOpenIddictScopeManager scopes) : IOpenIddictServerHandler<ProcessSignInContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessSignInContext>()
            .UseScopedHandler<AttachSessionClaims>()
            .SetOrder(OpenIddictServerHandlers.InferResources.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ProcessSignInContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var principal = context.Principal ?? throw new InvalidOperationException("OpenIddict's sign-in has no principal.");
        var session = context.Transaction.GetProperty<DeviceSession>(OpenIddictMultiSessionProperties.Session);
        switch (context.EndpointType)
        {
            case OpenIddictServerEndpointType.Authorization:
                if (session is null)
                {
                    throw new InvalidOperationException(
                        "The authorization endpoint signed in without a multi-session decision: call OpenIddictMultiSessionAuthorization.DecideAsync " +
                        "and sign in the account of its UseAccount decision.");
                }

                break;
            case OpenIddictServerEndpointType.Token when context.Request.IsAuthorizationCodeGrantType() || context.Request.IsRefreshTokenGrantType():
                if (session is null)
                {
                    throw new InvalidOperationException("The grant's device session was not checked before sign-in.");
                }

                break;
            default:
                return;
        }

        if (!string.Equals(principal.GetClaim(Claims.Subject), session.UserId, StringComparison.Ordinal))
        {
            throw new InvalidOperationException("The principal signed in is not the account of the device session the request was made through.");
        }

        var identity = (ClaimsIdentity)principal.Identity!;
        identity.SetClaim(MultiSessionDefaults.SessionIdClaimType, session.SessionId);
        foreach (var existing in identity.FindAll(Claims.AuthenticationTime).ToList())
        {
            identity.RemoveClaim(existing);
        }

        identity.AddClaim(new Claim(
            Claims.AuthenticationTime,
            session.AuthenticatedAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            ClaimValueTypes.Integer64));
        // amr (RFC 8176): the methods of this account's last authentication on the device, a JSON array even with one method.
        foreach (var existing in identity.FindAll(Claims.AuthenticationMethodReference).ToList())
        {
            identity.RemoveClaim(existing);
        }

        if (session.AuthenticationMethods.Count > 0)
        {
            identity.AddClaim(new Claim(
                Claims.AuthenticationMethodReference,
                JsonSerializer.Serialize(session.AuthenticationMethods),
                JsonClaimValueTypes.JsonArray));
        }

        foreach (var claim in identity.Claims.Where(c => c.Type is MultiSessionDefaults.SessionIdClaimType or Claims.AuthenticationTime or Claims.AuthenticationMethodReference))
        {
            claim.SetDestinations(Destinations.IdentityToken, Destinations.AccessToken);
        }

        if (principal.GetResources().IsDefaultOrEmpty)
        {
            var resources = new List<string>();
            await foreach (var resource in scopes.ListResourcesAsync(principal.GetScopes(), context.CancellationToken))
            {
                resources.Add(resource);
            }

            if (resources.Count == 0 && (context.Options.Issuer ?? context.BaseUri) is { } issuer)
            {
                resources.Add(issuer.AbsoluteUri);
            }

            principal.SetResources(resources.Distinct(StringComparer.Ordinal).ToImmutableArray());
        }
    }
}
