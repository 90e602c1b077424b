using Microsoft.AspNetCore.Mvc.Filters;

namespace IdentityServer.MultiSession.Http;

/// <summary>
/// A page that asked for <c>Cache-Control: no-store</c> alone gets <c>no-cache, no-store</c> and <c>Pragma: no-cache</c> before it
/// renders: the value antiforgery sets on every response with a form. Antiforgery then has nothing to override, and does not
/// log its warning about overridden cache headers on every page.
/// </summary>
internal sealed class AntiforgeryCacheHeadersFilter : IAlwaysRunResultFilter
{
    public void OnResultExecuting(ResultExecutingContext context)
    {
        var response = context.HttpContext.Response;
        var cacheControl = response.Headers.CacheControl.ToString();
        if (!response.HasStarted
            && cacheControl.Contains("no-store", StringComparison.OrdinalIgnoreCase)
            && !cacheControl.Contains("no-cache", StringComparison.OrdinalIgnoreCase))
        {
            response.PreventCaching();
        }
    }

    public void OnResultExecuted(ResultExecutedContext context)
    {
    }
}
