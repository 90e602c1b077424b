using System.Security.Claims;
using IdentityServer.MultiSession.Authorization;
using IdentityServer.MultiSession.OpenIddict;
using IdpHost.Data;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using IdpHost.Login;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdpHost.Oidc;

/// <summary>
/// The OpenIddict pass-through endpoints of the sample. Authorization: the standard OpenIddict shape plus the one
/// <see cref="OpenIddictMultiSessionAuthorization.DecideAsync"/> call; the library's OpenIddict handlers add <c>sid</c>,
/// <c>auth_time</c> and the audiences, tie the tokens to the session, and refuse the tokens of ended sessions at the token,
/// userinfo and introspection endpoints. Token and userinfo only build the identity and the claims from the user store.
/// The end-session endpoint is the library's page. With <c>MultiSession:Enabled=false</c> (the benchmark's baseline) the
/// authorization and end-session endpoints use Identity's stock single-account cookie instead.
/// </summary>
public static class ConnectEndpoints
{
    /// <summary>Maps <c>/connect/authorize</c>, <c>/connect/token</c> and <c>/connect/userinfo</c> (and, for the baseline, <c>/connect/endsession</c>).</summary>
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
            endpoints.MapMethods("/connect/endsession", [HttpMethods.Get, HttpMethods.Post], EndSessionSingleAccountAsync).DisableAntiforgery();
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

        // The one multi-session call: use account X, show the picker, show the login page, or answer an OIDC error.
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

        var identity = await CreateIdentityAsync(users, user!);
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

            return Results.Redirect(LoginPageUrl.For(
                context.RequestServices.GetRequiredService<IdentityServer.MultiSession.Sessions.ReturnUrlValidator>(),
                context.Request.PathBase + context.Request.Path + context.Request.QueryString,
                hint));
        }

        var identity = await CreateIdentityAsync(users, user);
        identity.SetScopes(request.GetScopes());
        identity.SetDestinations(claim => GetDestinations(claim, identity));
        return Results.SignIn(new ClaimsPrincipal(identity), properties: null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    /// <summary>The baseline's end-session endpoint: signs the one account out of Identity's cookie and returns to the client.</summary>
    private static async Task<IResult> EndSessionSingleAccountAsync(SignInManager<ApplicationUser> signIn)
    {
        await signIn.SignOutAsync();
        return Results.SignOut(new AuthenticationProperties { RedirectUri = "/" }, [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
    }

    /// <summary>
    /// Code and refresh grants: the identity is rebuilt from the user store (role and profile changes reach refreshed tokens).
    /// With the library, a grant whose device session has ended never gets here (<c>invalid_grant</c>), and the session's
    /// <c>sid</c> and <c>auth_time</c> are put back into the new tokens.
    /// </summary>
    private static async Task<IResult> TokenAsync(HttpContext context, UserManager<ApplicationUser> users, SignInManager<ApplicationUser> signIn, IOpenIddictScopeManager scopes)
    {
        var request = context.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenID Connect request cannot be retrieved.");
        if (request.IsClientCredentialsGrantType())
        {
            return await ClientCredentialsAsync(request, scopes);
        }

        if (!request.IsAuthorizationCodeGrantType() && !request.IsRefreshTokenGrantType())
        {
            return Error(Errors.UnsupportedGrantType, "Only the authorization code, refresh token and client credentials grants are supported.");
        }

        var principal = (await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme)).Principal;
        var user = principal is null ? null : await users.FindByIdAsync(principal.GetClaim(Claims.Subject) ?? string.Empty);
        if (principal is null || user is null || !await signIn.CanSignInAsync(user) || (users.SupportsUserLockout && await users.IsLockedOutAsync(user)))
        {
            return Error(Errors.InvalidGrant, "The account can no longer sign in.");
        }

        var identity = await CreateIdentityAsync(users, user);
        identity.SetScopes(principal.GetScopes());
        identity.SetResources(principal.GetResources());
        identity.SetDestinations(claim => GetDestinations(claim, identity));
        return Results.SignIn(new ClaimsPrincipal(identity), properties: null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    /// <summary>
    /// Client credentials (a confidential client acting for itself, such as an administration script): an access token whose
    /// subject is the client, with the scopes it asked for and may have (OpenIddict checked them) and their APIs as audiences.
    /// </summary>
    private static async Task<IResult> ClientCredentialsAsync(OpenIddictRequest request, IOpenIddictScopeManager scopes)
    {
        var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, request.ClientId);
        identity.SetScopes(request.GetScopes());
        var resources = new List<string>();
        await foreach (var resource in scopes.ListResourcesAsync(identity.GetScopes()))
        {
            resources.Add(resource);
        }

        identity.SetResources(resources);
        identity.SetDestinations(_ => [Destinations.AccessToken]);
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

    private static async Task<ClaimsIdentity> CreateIdentityAsync(UserManager<ApplicationUser> users, ApplicationUser user)
    {
        var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, user.Id)
            .SetClaim(Claims.Name, user.DisplayName ?? user.UserName)
            .SetClaim(Claims.PreferredUsername, user.UserName)
            .SetClaim(Claims.Email, user.Email)
            .SetClaim(Claims.EmailVerified, user.EmailConfirmed);
        identity.SetClaims(Claims.Role, [.. await users.GetRolesAsync(user)]);
        return identity;
    }

    private static IEnumerable<string> GetDestinations(Claim claim, ClaimsIdentity identity) => claim.Type switch
    {
        Claims.Name or Claims.PreferredUsername when identity.HasScope(Scopes.Profile) => [Destinations.AccessToken, Destinations.IdentityToken],
        Claims.Email or Claims.EmailVerified when identity.HasScope(Scopes.Email) => [Destinations.AccessToken, Destinations.IdentityToken],
        Claims.Role when identity.HasScope(Scopes.Roles) => [Destinations.AccessToken, Destinations.IdentityToken],
        Claims.Subject => [Destinations.AccessToken, Destinations.IdentityToken],
        "AspNet.Identity.SecurityStamp" => [],
        _ => [Destinations.AccessToken],
    };

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
