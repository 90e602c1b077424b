using System.Security.Claims;
using IdentityServer.MultiSession.Authorization;
using IdentityServer.MultiSession.OpenIddict;
using IdentityServer.MultiSession.Sessions;
using IdpHost.Data;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdpHost.Oidc;

/// <summary>
/// The OpenIddict passthrough endpoints: authorization (which asks the multi-session library which account to use), token and
/// userinfo. The end-session endpoint is the Razor page <c>Pages/Connect/EndSession</c>, since it may ask for confirmation.
/// With <c>MultiSession:Enabled=false</c> (the benchmark's baseline) the authorization endpoint uses Identity's stock
/// single-account cookie instead, and the token endpoint checks no device session.
/// </summary>
public static class ConnectEndpoints
{
    /// <summary>Maps <c>/connect/authorize</c>, <c>/connect/token</c> and <c>/connect/userinfo</c>.</summary>
    /// <param name="endpoints">The routes.</param>
    /// <param name="multiSession"><c>false</c> for the single-account baseline (no multi-session service is registered).</param>
    public static void MapConnectEndpoints(this IEndpointRouteBuilder endpoints, bool multiSession = true)
    {
        if (multiSession)
        {
            endpoints.MapMethods("/connect/authorize", [HttpMethods.Get, HttpMethods.Post], AuthorizeAsync).DisableAntiforgery();
        }
        else
        {
            endpoints.MapMethods("/connect/authorize", [HttpMethods.Get, HttpMethods.Post], AuthorizeSingleAccountAsync).DisableAntiforgery();
        }

        endpoints.MapPost("/connect/token", TokenAsync).DisableAntiforgery();
        endpoints.MapMethods("/connect/userinfo", [HttpMethods.Get, HttpMethods.Post], UserInfoAsync).DisableAntiforgery();
    }

    private static async Task<IResult> AuthorizeAsync(
        HttpContext context,
        OpenIddictMultiSessionAuthorization multiSession,
        UserManager<ApplicationUser> users,
        SignInManager<ApplicationUser> signIn)
    {
        var request = context.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenID Connect request cannot be retrieved.");

        // One call decides "use account X / show picker / show login / return error" (SPEC §4).
        var decision = await multiSession.DecideAsync(context, context.RequestAborted);
        switch (decision.Kind)
        {
            case AuthorizationAccountDecisionKind.ShowPicker:
            case AuthorizationAccountDecisionKind.ShowLogin:
                return Results.Redirect(decision.RedirectUri!);
            case AuthorizationAccountDecisionKind.Error:
                return Error(decision.Error!, decision.ErrorDescription!);
        }

        var session = decision.Session!;
        var user = await users.FindByIdAsync(session.UserId);
        if (await AccountRules.CheckAsync(context, request, session, user, users, signIn) is { } refused)
        {
            return refused;
        }

        var identity = await CreateIdentityAsync(users, user!, session);
        identity.SetScopes(request.GetScopes());
        identity.SetDestinations(claim => GetDestinations(claim, identity));
        return Results.SignIn(new ClaimsPrincipal(identity), properties: null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    /// <summary>
    /// The stock single-account authorization endpoint (the benchmark's baseline): the user of Identity's application cookie,
    /// or the login page when nobody is signed in or the signed-in user is not the one <c>login_hint</c> names.
    /// </summary>
    private static async Task<IResult> AuthorizeSingleAccountAsync(
        HttpContext context,
        UserManager<ApplicationUser> users,
        SignInManager<ApplicationUser> signIn)
    {
        var request = context.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenID Connect request cannot be retrieved.");

        var result = await context.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        var user = result.Succeeded ? await users.GetUserAsync(result.Principal) : null;
        var hint = request.LoginHint?.Trim();
        if (user is not null && !string.IsNullOrEmpty(hint)
            && !string.Equals(user.Email, hint, StringComparison.OrdinalIgnoreCase)
            && !string.Equals(user.UserName, hint, StringComparison.OrdinalIgnoreCase))
        {
            user = null;
        }

        if (user is null || !await signIn.CanSignInAsync(user))
        {
            if (request.HasPromptValue(PromptValues.None))
            {
                return Error(Errors.LoginRequired, "The user is not signed in.");
            }

            var parameters = new Dictionary<string, string?> { ["ReturnUrl"] = context.Request.PathBase + context.Request.Path + context.Request.QueryString };
            if (!string.IsNullOrEmpty(hint))
            {
                parameters[IdentityServer.MultiSession.MultiSessionDefaults.LoginHintParameter] = hint;
            }

            return Results.Redirect(QueryHelpers.AddQueryString("/Account/Login", parameters));
        }

        var identity = await CreateIdentityAsync(users, user, session: null);
        identity.SetScopes(request.GetScopes());
        identity.SetDestinations(claim => GetDestinations(claim, identity));
        return Results.SignIn(new ClaimsPrincipal(identity), properties: null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static async Task<IResult> TokenAsync(
        HttpContext context,
        [FromServices] IDeviceSessionService? sessions,
        UserManager<ApplicationUser> users,
        SignInManager<ApplicationUser> signIn)
    {
        var request = context.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenID Connect request cannot be retrieved.");
        if (!request.IsAuthorizationCodeGrantType() && !request.IsRefreshTokenGrantType())
        {
            return Error(Errors.UnsupportedGrantType, "Only the authorization code and refresh token grants are supported.");
        }

        var result = await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        var principal = result.Principal;
        if (principal is null)
        {
            return Error(Errors.InvalidGrant, "The grant is invalid.");
        }

        // A device session revoked on any instance stops its codes and refresh tokens at once. (The single-account
        // baseline has no device sessions: sessions is null there.)
        DeviceSession? session = null;
        if (sessions is not null)
        {
            var sid = principal.GetClaim(IdentityServer.MultiSession.MultiSessionDefaults.SessionIdClaimType);
            session = sid is null ? null : await sessions.FindBySessionIdAsync(sid, context.RequestAborted);
            if (session is null)
            {
                return Error(Errors.InvalidGrant, "The session that issued this grant has ended.");
            }
        }

        var user = await users.FindByIdAsync(principal.GetClaim(Claims.Subject) ?? string.Empty);
        if (user is null || !await signIn.CanSignInAsync(user) || (users.SupportsUserLockout && await users.IsLockedOutAsync(user)))
        {
            return Error(Errors.InvalidGrant, "The account can no longer sign in.");
        }

        var identity = await CreateIdentityAsync(users, user, session);
        identity.SetScopes(principal.GetScopes());
        identity.SetResources(principal.GetResources());
        identity.SetDestinations(claim => GetDestinations(claim, identity));
        return Results.SignIn(new ClaimsPrincipal(identity), properties: null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static async Task<IResult> UserInfoAsync(HttpContext context, UserManager<ApplicationUser> users)
    {
        var result = await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        var principal = result.Principal;
        var user = principal is null ? null : await users.FindByIdAsync(principal.GetClaim(Claims.Subject) ?? string.Empty);
        if (principal is null || user is null)
        {
            return Results.Challenge(
                new AuthenticationProperties(new Dictionary<string, string?>
                {
                    [OpenIddictServerAspNetCoreConstants.Properties.Error] = Errors.InvalidToken,
                    [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = "The access token is not valid for this user.",
                }),
                [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
        }

        var claims = new Dictionary<string, object?>(StringComparer.Ordinal) { [Claims.Subject] = user.Id };
        if (principal.HasScope(Scopes.Profile))
        {
            claims[Claims.Name] = user.DisplayName ?? user.UserName;
            claims[Claims.PreferredUsername] = user.UserName;
        }

        if (principal.HasScope(Scopes.Email))
        {
            claims[Claims.Email] = user.Email;
            claims[Claims.EmailVerified] = user.EmailConfirmed;
        }

        if (principal.GetClaim(IdentityServer.MultiSession.MultiSessionDefaults.SessionIdClaimType) is { } sid)
        {
            claims[IdentityServer.MultiSession.MultiSessionDefaults.SessionIdClaimType] = sid;
        }

        return Results.Ok(claims);
    }

    private static async Task<ClaimsIdentity> CreateIdentityAsync(UserManager<ApplicationUser> users, ApplicationUser user, DeviceSession? session)
    {
        var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, user.Id)
            .SetClaim(Claims.Name, user.DisplayName ?? user.UserName)
            .SetClaim(Claims.PreferredUsername, user.UserName)
            .SetClaim(Claims.Email, user.Email);
        identity.SetClaims(Claims.Role, [.. await users.GetRolesAsync(user)]);
        if (session is not null)
        {
            OpenIddictMultiSessionAuthorization.AddSessionClaims(identity, session);
        }

        return identity;
    }

    private static IEnumerable<string> GetDestinations(Claim claim, ClaimsIdentity identity)
    {
        if (OpenIddictMultiSessionAuthorization.GetDestinations(claim) is { } multiSession)
        {
            return multiSession;
        }

        return claim.Type switch
        {
            Claims.Name or Claims.PreferredUsername when identity.HasScope(Scopes.Profile) => [Destinations.AccessToken, Destinations.IdentityToken],
            Claims.Email when identity.HasScope(Scopes.Email) => [Destinations.AccessToken, Destinations.IdentityToken],
            Claims.Role when identity.HasScope(Scopes.Roles) => [Destinations.AccessToken, Destinations.IdentityToken],
            Claims.Subject => [Destinations.AccessToken, Destinations.IdentityToken],
            "AspNet.Identity.SecurityStamp" => [],
            _ => [Destinations.AccessToken],
        };
    }

    private static IResult Error(string error, string description)
    {
        var properties = new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        });
        return Results.Forbid(properties, [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
    }
}
