using Microsoft.AspNetCore.Http;

namespace IdentityServer.MultiSession.Http;

/// <summary>Response helpers for pages that show personal data.</summary>
public static class MultiSessionResponseExtensions
{
    /// <summary>The <c>Cache-Control</c> value of pages with personal data; the one antiforgery sets itself.</summary>
    public const string NoCacheNoStore = "no-cache, no-store";

    /// <summary>
    /// Marks the response as never to be stored or reused: <c>Cache-Control: no-cache, no-store</c> and <c>Pragma: no-cache</c>,
    /// exactly what antiforgery wants on a page with a form, so that it has nothing to override (and logs no warning).
    /// </summary>
    public static void PreventCaching(this HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Headers.CacheControl = NoCacheNoStore;
        response.Headers.Pragma = "no-cache";
    }
}
