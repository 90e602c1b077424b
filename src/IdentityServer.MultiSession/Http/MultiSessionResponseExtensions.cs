using Microsoft.AspNetCore.Http;

namespace IdentityServer.MultiSession.Http;

/// <summary>Response helpers for pages that show personal data, or that embed other origins.</summary>
public static class MultiSessionResponseExtensions
{
    internal const string FrameSourcesItem = "MultiSession.FrameSources";

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

    /// <summary>
    /// Lets this response's page frame <paramref name="urls"/> (their origins join <c>frame-src</c> of the
    /// <c>Content-Security-Policy</c> sent by <c>UseMultiSessionSecurityHeaders</c>, for this response only): the picker's hidden
    /// front-channel logout frames of the clients of an account just signed out.
    /// </summary>
    public static void AllowFrames(this HttpResponse response, IEnumerable<string> urls)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(urls);
        var origins = urls
            .Select(u => Uri.TryCreate(u, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http" ? uri.GetLeftPart(UriPartial.Authority) : null)
            .OfType<string>()
            .ToList();
        if (origins.Count == 0)
        {
            return;
        }

        var items = response.HttpContext.Items;
        items[FrameSourcesItem] = items[FrameSourcesItem] is IEnumerable<string> earlier ? earlier.Concat(origins).Distinct().ToList() : origins.Distinct().ToList();
    }
}
