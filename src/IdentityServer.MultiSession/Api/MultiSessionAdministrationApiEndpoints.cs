using IdentityServer.MultiSession.Administration;
using IdentityServer.MultiSession.Sessions;
using IdentityServer.MultiSession.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace IdentityServer.MultiSession.Api;

/// <summary>
/// The administration API for scripts under <c>/multi-session/admin/api</c>: find users, list and end a user's sessions, read the
/// settings in force and the live figures. Every call is authorized by <see cref="MultiSessionOptions.AdministrationPolicy"/>
/// (with the host's schemes, for example bearer access tokens the IdP issued); every error is a problem details body.
/// </summary>
internal static class MultiSessionAdministrationApiEndpoints
{
    private const int MaximumQueryLength = 256;

    public static RouteGroupBuilder MapMultiSessionAdministrationApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup(MultiSessionDefaults.AdministrationApiPathPrefix)
            .WithTags("MultiSessionAdministration")
            .DisableAntiforgery()
            .AddEndpointFilter(RequireAdministrator);

        group.MapGet("/users", FindUsersAsync);
        group.MapGet("/users/{id}/sessions", ListSessionsAsync);
        group.MapDelete("/users/{id}/sessions/{sessionId}", RevokeSessionAsync).AddEndpointFilter(RequireSameOriginUnlessBearer);
        group.MapDelete("/users/{id}/sessions", RevokeAllAsync).AddEndpointFilter(RequireSameOriginUnlessBearer);
        group.MapGet("/options", ReadOptions);
        group.MapGet("/statistics", ReadStatisticsAsync);
        group.MapFallback("{**path}", () => Results.Problem(
            statusCode: StatusCodes.Status404NotFound,
            title: "Not found",
            detail: $"There is no such endpoint or method under {MultiSessionDefaults.AdministrationApiPathPrefix}."));
        return group;
    }

    private static async ValueTask<object?> RequireAdministrator(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        context.Response.Headers.CacheControl = "no-store";
        switch (await AdministrationAccess.AuthorizeAsync(context))
        {
            case AdministrationAccess.Outcome.Challenged when SentBearerToken(context):
                return Unauthorized(
                    context,
                    "Bearer error=\"invalid_token\", error_description=\"The access token is expired, revoked, malformed or not issued by this IdP.\"",
                    "Invalid access token",
                    "The access token was refused: it is expired, revoked, malformed or not issued by this IdP.");
            case AdministrationAccess.Outcome.Challenged:
                return Unauthorized(
                    context,
                    "Bearer",
                    "Authentication required",
                    "Send an access token issued by this IdP for the administration scope (Authorization: Bearer …).");
            case AdministrationAccess.Outcome.Forbidden:
                if (SentBearerToken(context))
                {
                    context.Response.Headers.WWWAuthenticate = "Bearer error=\"insufficient_scope\"";
                }

                return Results.Problem(
                    statusCode: StatusCodes.Status403Forbidden,
                    title: "Not an administrator",
                    detail: "The caller does not satisfy the administration policy.");
            default:
                return await next(invocation);
        }
    }

    // RFC 6750, section 3: the challenge of a request without a bearer token names the scheme only; a refused token gets
    // error="invalid_token" (401), a valid token without the rights error="insufficient_scope" (403). A browser on the pages is
    // sent to the login page instead (MultiSessionAdministrationAttribute); this API has no cookie challenge of its own.
    private static IResult Unauthorized(HttpContext context, string challenge, string title, string detail)
    {
        context.Response.Headers.WWWAuthenticate = challenge;
        return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: title, detail: detail);
    }

    private static bool SentBearerToken(HttpContext context) =>
        context.Request.Headers.Authorization.ToString() is var header
        && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
        && header.Length > "Bearer ".Length;

    // A script sends its token as "Authorization: Bearer …", which no cross-site page can set without a CORS preflight. A
    // host whose policy also accepts a cookie gets the JSON API's cross-site defence on the changing calls, also when some
    // other Authorization header (Basic, junk) rides along with the cookie.
    private static ValueTask<object?> RequireSameOriginUnlessBearer(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next) =>
        SentBearerToken(invocation.HttpContext)
            ? next(invocation)
            : MultiSessionApiEndpoints.RequireSameOriginJson(invocation, next);

    private static async Task<IResult> FindUsersAsync(HttpContext context, IMultiSessionUserDirectory users, string? query)
    {
        query = query?.Trim();
        if (string.IsNullOrEmpty(query) || query.Length > MaximumQueryLength)
        {
            return Results.Problem(
                statusCode: StatusCodes.Status400BadRequest,
                title: "Invalid request",
                detail: $"The query parameter 'query' (an email address, user name or user id, at most {MaximumQueryLength} characters) is required.");
        }

        return Results.Ok(await users.FindAsync(query, context.RequestAborted));
    }

    private static async Task<IResult> ListSessionsAsync(HttpContext context, IMultiSessionUserDirectory users, IDeviceSessionService sessions, string id)
    {
        var user = await users.FindTargetUserAsync(id, context.RequestAborted);
        if (user is null)
        {
            return UnknownUser();
        }

        var list = await sessions.ListUserSessionsAsync(user.Id, context.RequestAborted);
        return Results.Ok(list.Select(s => UserDeviceSessionResponse.From(s, null)).ToList());
    }

    private static async Task<IResult> RevokeSessionAsync(HttpContext context, IMultiSessionUserDirectory users, IDeviceSessionService sessions, string id, string sessionId)
    {
        var user = await users.FindTargetUserAsync(id, context.RequestAborted);
        if (user is null)
        {
            return UnknownUser();
        }

        return await sessions.RevokeAsAdministratorAsync(user, sessionId, context.RequestAborted)
            ? Results.NoContent()
            : Results.Problem(
                statusCode: StatusCodes.Status404NotFound,
                title: "Unknown session",
                detail: "The session id names no live session of this user.");
    }

    private static async Task<IResult> RevokeAllAsync(HttpContext context, IMultiSessionUserDirectory users, IDeviceSessionService sessions, string id)
    {
        var user = await users.FindTargetUserAsync(id, context.RequestAborted);
        if (user is null)
        {
            return UnknownUser();
        }

        var count = await sessions.RevokeAllAsAdministratorAsync(user, context.RequestAborted);
        return Results.Ok(new RevokedCountResponse(count));
    }

    private static IResult ReadOptions(MultiSessionEffectiveOptions effective) =>
        Results.Ok(effective.Read().Select(EffectiveSettingResponse.From).ToList());

    private static async Task<IResult> ReadStatisticsAsync(HttpContext context, IDeviceSessionStore store, IOptionsMonitor<MultiSessionOptions> options, TimeProvider time) =>
        Results.Ok(await store.GetStatisticsAsync(time.GetUtcNow(), options.CurrentValue.MaximumSessions, context.RequestAborted));

    private static IResult UnknownUser() => Results.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "Unknown user",
        detail: "No user has this id.");
}
