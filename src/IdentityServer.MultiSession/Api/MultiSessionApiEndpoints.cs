using System.Text.Json;
using IdentityServer.MultiSession.Sessions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace IdentityServer.MultiSession.Api;

/// <summary>
/// The JSON API of BEHAVIOUR.md §6 under <c>/multi-session</c>: list, set-active, revoke, sign-out, and forgetting an account
/// remembered as signed out. State-changing calls accept only
/// <c>application/json</c> and refuse cross-site requests; every error is an RFC 9457 problem details body.
/// </summary>
internal static class MultiSessionApiEndpoints
{
    private const int MaximumBodyBytes = 16 * 1024;

    // The method each path of the API answers; any other method gets 405, any other path under the prefix 404, both as
    // problem details (routing alone would answer them with an empty body).
    private static readonly Dictionary<string, string> MethodByPath = new(StringComparer.OrdinalIgnoreCase)
    {
        ["list-device-sessions"] = HttpMethods.Get,
        ["set-active"] = HttpMethods.Post,
        ["revoke"] = HttpMethods.Post,
        ["sign-out"] = HttpMethods.Post,
        ["devices"] = HttpMethods.Get,
        ["devices/sign-out"] = HttpMethods.Post,
        ["devices/sign-out-others"] = HttpMethods.Post,
    };

    public static RouteGroupBuilder MapMultiSessionApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup(MultiSessionDefaults.ApiPathPrefix)
            .WithTags("MultiSession")
            .DisableAntiforgery();

        group.MapGet("/list-device-sessions", ListAsync);
        group.MapPost("/set-active", SetActiveAsync).AddEndpointFilter(RequireSameOriginJson);
        group.MapPost("/revoke", RevokeAsync).AddEndpointFilter(RequireSameOriginJson);
        group.MapPost("/sign-out", SignOutAsync).AddEndpointFilter(RequireSameOriginJson);
        group.MapDevicesApi();
        group.MapDelete("/signed-out-accounts/{id}", ForgetSignedOutAccountAsync).AddEndpointFilter(RequireSameOriginJson);
        group.MapFallback("{**path}", NotMapped);
        return group;
    }

    private static IResult NotMapped(HttpContext context, string? path)
    {
        var method = path is null ? null
            : MethodByPath.TryGetValue(path.TrimEnd('/'), out var known) ? known
            : path.StartsWith(SignedOutAccountsPath, StringComparison.OrdinalIgnoreCase) && path.Length > SignedOutAccountsPath.Length ? HttpMethods.Delete
            : null;
        if (method is not null)
        {
            context.Response.Headers.Allow = method;
            return Results.Problem(
                statusCode: StatusCodes.Status405MethodNotAllowed,
                title: "Method not allowed",
                detail: $"This endpoint answers {method} only.");
        }

        return Results.Problem(
            statusCode: StatusCodes.Status404NotFound,
            title: "Not found",
            detail: $"There is no such endpoint under {MultiSessionDefaults.ApiPathPrefix}.");
    }

    private const string SignedOutAccountsPath = "signed-out-accounts/";

    private static async Task<IResult> ListAsync(HttpContext context, IDeviceSessionService sessions)
    {
        // ?include=signedOut asks for { sessions, signedOutAccounts }; without it the answer stays the plain array.
        var include = context.Request.Query["include"];
        var withSignedOut = include.Count > 0;
        if (withSignedOut && (include.Count > 1 || !string.Equals(include[0], "signedOut", StringComparison.OrdinalIgnoreCase)))
        {
            return BadRequest("The parameter 'include' accepts only 'signedOut'.");
        }

        var list = (await sessions.ListAsync(context, context.RequestAborted)).Select(DeviceSessionResponse.From).ToList();
        context.Response.Headers.CacheControl = "no-store";
        if (!withSignedOut)
        {
            return Results.Ok(list);
        }

        var options = context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<MultiSessionOptions>>().CurrentValue;
        var remembered = options.RememberSignedOutAccounts ? context.RequestServices.GetService<IRememberedAccountService>() : null;
        var signedOut = remembered is null
            ? null
            : (await remembered.ListAsync(context, context.RequestAborted)).Select(SignedOutAccountResponse.From).ToList();
        return Results.Ok(new DeviceSessionListResponse(list, signedOut));
    }

    private static async Task<IResult> ForgetSignedOutAccountAsync(HttpContext context, string id)
    {
        if (id.Length > 64 || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            return BadRequest("The id is not the id of a signed-out account: letters, digits, '-' and '_' only.");
        }

        var remembered = context.RequestServices.GetService<IRememberedAccountService>();
        return EndedOrNotFound(
            remembered is not null && await remembered.ForgetAsync(context, id, context.RequestAborted),
            "Unknown signed-out account",
            "The id names no account signed out on this browser: it is unknown, expired, removed or from another device, or signed-out accounts are not remembered.");
    }

    private static async Task<IResult> SetActiveAsync(HttpContext context, IDeviceSessionService sessions)
    {
        var (token, problem) = await ReadSessionTokenAsync(context);
        if (problem is not null)
        {
            return problem;
        }

        DeviceSession? session;
        try
        {
            session = await sessions.SetActiveAsync(context, token!, context.RequestAborted);
        }
        catch (MultiSessionReauthenticationRequiredException reauthenticate)
        {
            // The switch policy: the account signs in again first; the problem names the login page for it.
            var options = context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<MultiSessionOptions>>().CurrentValue;
            var account = reauthenticate.Session;
            var url = LoginUrl.Build(
                options,
                context.Request.PathBase,
                context.Request.PathBase + (options.HomePath.HasValue ? options.HomePath.Value : "/"),
                LoginUrl.HintFor(account));
            return Results.Problem(
                statusCode: StatusCodes.Status403Forbidden,
                title: "Re-authentication required",
                detail: "This account must sign in again, with the methods of its last sign-in, before it can be made active.",
                extensions: new Dictionary<string, object?> { ["reauthenticateUrl"] = url });
        }

        return session is null ? UnknownSession() : Results.Ok(DeviceSessionResponse.From(session));
    }

    private static async Task<IResult> RevokeAsync(HttpContext context, IDeviceSessionService sessions)
    {
        var (token, problem) = await ReadSessionTokenAsync(context);
        if (problem is not null)
        {
            return problem;
        }

        return EndedOrNotFound(await sessions.SignOutAccountAsync(context, token!, context.RequestAborted), UnknownSessionTitle, UnknownSessionDetail);
    }

    private static async Task<IResult> SignOutAsync(HttpContext context, IDeviceSessionService sessions)
    {
        await sessions.SignOutAsync(context, context.RequestAborted);
        return Results.Ok(new RevokeResponse(true));
    }

    private const string UnknownSessionTitle = "Unknown session";

    private const string UnknownSessionDetail = "The sessionToken names no signed-in account on this browser: it is unknown, expired, revoked or from another device.";

    private static IResult UnknownSession() => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: UnknownSessionTitle, detail: UnknownSessionDetail);

    /// <summary>200 <c>{ "status": true }</c> when something was ended, else a 404 problem with <paramref name="title"/> and <paramref name="detail"/>.</summary>
    internal static IResult EndedOrNotFound(bool ended, string title, string detail) => ended
        ? Results.Ok(new RevokeResponse(true))
        : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: title, detail: detail);

    private static Task<(string? Token, IResult? Problem)> ReadSessionTokenAsync(HttpContext context) => ReadStringFieldAsync(context, "sessionToken");

    /// <summary>Reads a JSON body <c>{ "field": "…" }</c> (nothing else), as problem details when it is not exactly that.</summary>
    internal static async Task<(string? Token, IResult? Problem)> ReadStringFieldAsync(HttpContext context, string field)
    {
        if (!IsJson(context.Request.ContentType))
        {
            return (null, UnsupportedMediaType());
        }

        if (context.Request.ContentLength > MaximumBodyBytes)
        {
            return (null, Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Body too large", detail: $"The body must be at most {MaximumBodyBytes} bytes."));
        }

        JsonDocument document;
        try
        {
            using var limited = new MemoryStream();
            var buffer = new byte[4096];
            int read;
            while ((read = await context.Request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
            {
                if (limited.Length + read > MaximumBodyBytes)
                {
                    return (null, Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Body too large", detail: $"The body must be at most {MaximumBodyBytes} bytes."));
                }

                limited.Write(buffer, 0, read);
            }

            // JSON text must be UTF-8 (RFC 8259): checked up front, since the reader only finds bad bytes inside a string
            // when that string is read, and then throws something other than a JsonException.
            var body = limited.ToArray();
            if (!System.Text.Unicode.Utf8.IsValid(body))
            {
                return (null, BadRequest("The body is not valid UTF-8."));
            }

            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException)
        {
            return (null, BadRequest("The body is not valid JSON."));
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, BadRequest($"The body must be a JSON object: {{ \"{field}\": \"…\" }}."));
            }

            string? token = null;
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name != field)
                {
                    return (null, BadRequest($"Unknown field '{Truncate(property.Name)}': the body must be {{ \"{field}\": \"…\" }}."));
                }

                if (property.Value.ValueKind != JsonValueKind.String)
                {
                    return (null, BadRequest($"The field '{field}' must be a string."));
                }

                token = property.Value.GetString();
            }

            if (string.IsNullOrEmpty(token))
            {
                return (null, BadRequest($"The field '{field}' is required."));
            }

            return (token, null);
        }
    }

    internal static async ValueTask<object?> RequireSameOriginJson(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var request = context.Request;
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(MultiSessionApiEndpoints).FullName!);

        var fetchSite = request.Headers["Sec-Fetch-Site"].ToString();
        if (string.Equals(fetchSite, "cross-site", StringComparison.OrdinalIgnoreCase))
        {
            Log.CrossSiteRejected(logger, "Sec-Fetch-Site: cross-site");
            return CrossSite();
        }

        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0 && !IsSameOrigin(origin, request))
        {
            Log.CrossSiteRejected(logger, "foreign Origin");
            return CrossSite();
        }

        // sign-out has no body; any body that is sent must be JSON, which a cross-site form cannot send.
        var hasBody = request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0 || request.ContentType is not null;
        if (hasBody && !IsJson(request.ContentType))
        {
            return UnsupportedMediaType();
        }

        return await next(invocation);
    }

    private static bool IsSameOrigin(string origin, HttpRequest request)
    {
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri))
        {
            return false;
        }

        var expected = $"{request.Scheme}://{request.Host.Value}";
        return string.Equals(uri.GetLeftPart(UriPartial.Authority), expected, StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media)
        && media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase);

    private static IResult CrossSite() => Results.Problem(
        statusCode: StatusCodes.Status403Forbidden,
        title: "Cross-site request refused",
        detail: "State-changing calls of this API are accepted only from the IdP's own pages.");

    private static IResult UnsupportedMediaType() => Results.Problem(
        statusCode: StatusCodes.Status415UnsupportedMediaType,
        title: "Unsupported media type",
        detail: "The body must be application/json.");

    private static IResult BadRequest(string detail) => Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid request", detail: detail);

    private static string Truncate(string value) => value.Length > 64 ? value[..64] + "…" : value;
}
