using System.Globalization;
using System.Text.Encodings.Web;
using IdentityServer.MultiSession.Localization;
using IdentityServer.MultiSession.Http;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace IdentityServer.MultiSession.Sessions;

/// <summary>
/// Answers 503 when the database is unreachable or fails mid-request: problem details for the JSON API and JSON clients, a
/// readable page for everything else. Logged once, with the request's trace id; never a cookie or a secret. The transaction
/// of the failed operation is rolled back, so nothing is half-written, and the next request after recovery works.
/// Active where the host calls <c>UseExceptionHandler</c>.
/// </summary>
internal sealed class DatabaseFailureExceptionHandler(IProblemDetailsService problemDetails, ILogger<DatabaseFailureExceptionHandler> logger, IStringLocalizer<MultiSessionText> text) : IExceptionHandler
{
    private const string RetryAfterSeconds = "5";

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (!DatabaseFailure.IsDatabaseFailure(exception))
        {
            return false;
        }

        // The middleware may already have rewritten the path to the host's error page: use the original one.
        var path = httpContext.Features.Get<IExceptionHandlerPathFeature>()?.Path ?? httpContext.Request.Path.Value ?? "/";
        // The W3C trace id of the request, as every log line, event and problem details body of the extension shows it.
        var traceId = Events.MultiSessionEventRaiser.CurrentTraceId ?? httpContext.TraceIdentifier;
        Log.DatabaseUnavailable(logger, httpContext.Request.Method, path, traceId, exception.GetType().Name, exception.GetBaseException().Message);
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        response.Headers.RetryAfter = RetryAfterSeconds;
        response.PreventCaching();

        if (WantsJson(httpContext.Request, path))
        {
            return await problemDetails.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = httpContext,
                Exception = exception,
                ProblemDetails = new ProblemDetails
                {
                    Status = StatusCodes.Status503ServiceUnavailable,
                    Title = "Service temporarily unavailable",
                    Detail = "The sign-in service cannot reach its database. Nothing was changed; try again in a moment.",
                },
            });
        }

        response.ContentType = "text/html; charset=utf-8";
        await response.WriteAsync(UnavailablePage(httpContext, path, traceId), cancellationToken);
        return true;
    }

    /// <summary>
    /// The page: the library's stylesheet (served without the database), and a "Try again" link back to the page that failed,
    /// not to the home page, which needs the database as well.
    /// </summary>
    private string UnavailablePage(HttpContext httpContext, string path, string traceId)
    {
        var request = httpContext.Request;
        var retry = request.PathBase + new PathString(path).ToUriComponent() + (HttpMethods.IsGet(request.Method) ? request.QueryString.ToUriComponent() : string.Empty);
        var encoder = HtmlEncoder.Default;
        var language = CultureInfo.CurrentUICulture.Name;
        return $"""
            <!DOCTYPE html>
            <html lang="{encoder.Encode(language.Length == 0 ? "en" : language)}">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="referrer" content="no-referrer">
            <title>{encoder.Encode(text["Unavailable_Title"])}</title>
            <link rel="stylesheet" href="{encoder.Encode(request.PathBase + "/_content/IdentityServer.MultiSession/multisession.css")}">
            </head>
            <body>
            <div class="ms-shell">
            <main class="ms-card">
            <span class="ms-logo" aria-hidden="true"></span>
            <h1>{encoder.Encode(text["Unavailable_Title"])}</h1>
            <p class="ms-lead">{encoder.Encode(text["Unavailable_Text"])}</p>
            <div class="ms-actions"><a class="ms-primary" href="{encoder.Encode(retry)}">{encoder.Encode(text["Unavailable_Retry"])}</a></div>
            <p class="ms-reference">{encoder.Encode(text["Reference", traceId])}</p>
            </main>
            </div>
            </body>
            </html>
            """;
    }

    private static bool WantsJson(HttpRequest request, string path)
    {
        if (new PathString(path).StartsWithSegments(MultiSessionDefaults.ApiPathPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var accept = request.Headers.Accept.ToString();
        if (accept.Contains("application/json", StringComparison.OrdinalIgnoreCase) || accept.Contains("+json", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        // OAuth clients at the token and userinfo endpoints send forms or nothing, and read JSON.
        return MediaTypeHeaderValue.TryParse(request.ContentType, out var media)
            && !media.MediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)
            && !media.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase);
    }
}
