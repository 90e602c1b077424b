using System.Diagnostics;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdpHost.Pages;

/// <summary>
/// The error page: shown by the exception handler (500) and, for pages, by the status code pages (404 and other errors
/// without a body). The JSON API and the OIDC endpoints keep their own bodies.
/// </summary>
[ResponseCache(Duration = 0, Location = ResponseCacheLocation.None, NoStore = true)]
[IgnoreAntiforgeryToken]
public sealed class ErrorModel : PageModel
{
    /// <summary>The request's W3C trace id (the one in the log lines and problem details), to find the log entries.</summary>
    public string? RequestId { get; private set; }

    /// <summary>The status code of the failed request.</summary>
    public int Status { get; private set; }

    /// <summary>Shows the page.</summary>
    public void OnGet()
    {
        RequestId = Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity ? activity.TraceId.ToString() : HttpContext.TraceIdentifier;
        Status = HttpContext.Features.Get<IStatusCodeReExecuteFeature>()?.OriginalStatusCode ?? Response.StatusCode;
    }

    /// <summary>Shows the page for a failed POST.</summary>
    public void OnPost() => OnGet();
}
