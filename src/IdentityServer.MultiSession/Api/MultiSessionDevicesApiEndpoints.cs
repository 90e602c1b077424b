using IdentityServer.MultiSession.Administration;
using IdentityServer.MultiSession.Sessions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace IdentityServer.MultiSession.Api;

/// <summary>
/// "Your devices" as JSON, for the active account of the calling browser: <c>GET /multi-session/devices</c>,
/// <c>POST /multi-session/devices/sign-out</c> (<c>{ "sessionId": "…" }</c>) and <c>POST /multi-session/devices/sign-out-others</c>.
/// The same CSRF defence and problem details as the rest of the API; a session id of another user names nothing (404).
/// </summary>
internal static class MultiSessionDevicesApiEndpoints
{
    public static void MapDevicesApi(this RouteGroupBuilder group)
    {
        group.MapGet("/devices", ListAsync);
        group.MapPost("/devices/sign-out", SignOutAsync).AddEndpointFilter(MultiSessionApiEndpoints.RequireSameOriginJson);
        group.MapPost("/devices/sign-out-others", SignOutOthersAsync).AddEndpointFilter(MultiSessionApiEndpoints.RequireSameOriginJson);
    }

    private static async Task<IResult> ListAsync(HttpContext context, IDeviceSessionService sessions)
    {
        context.Response.Headers.CacheControl = "no-store";
        var account = await sessions.FindActiveAccountAsync(context);
        if (account is null)
        {
            return NotSignedIn();
        }

        var list = await sessions.ListUserSessionsAsync(account.UserId, context.RequestAborted);
        return Results.Ok(new UserDevicesResponse(
            new DeviceSessionUserResponse(account.UserId, account.DisplayName, account.Email),
            list.Select(s => UserDeviceSessionResponse.From(s, account.SessionId)).ToList()));
    }

    private static async Task<IResult> SignOutAsync(HttpContext context, IDeviceSessionService sessions)
    {
        var (sessionId, problem) = await MultiSessionApiEndpoints.ReadStringFieldAsync(context, "sessionId");
        if (problem is not null)
        {
            return problem;
        }

        var account = await sessions.FindActiveAccountAsync(context);
        if (account is null)
        {
            return NotSignedIn();
        }

        return MultiSessionApiEndpoints.EndedOrNotFound(
            await sessions.SignOutDeviceAsync(account, sessionId, context.RequestAborted),
            "Unknown session",
            "The sessionId names no live session of the active account: it is unknown, ended, or another user's.");
    }

    private static async Task<IResult> SignOutOthersAsync(HttpContext context, IDeviceSessionService sessions)
    {
        var account = await sessions.FindActiveAccountAsync(context);
        if (account is null)
        {
            return NotSignedIn();
        }

        var count = await sessions.SignOutOtherDevicesAsync(account, context.RequestAborted);
        return Results.Ok(new RevokedCountResponse(count));
    }

    private static IResult NotSignedIn() => Results.Problem(
        statusCode: StatusCodes.Status401Unauthorized,
        title: "Not signed in",
        detail: "No account is signed in on this browser.");
}
