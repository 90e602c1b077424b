using IdentityServer.MultiSession.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

/// <summary>The one-line opt-in to the security headers of the library's pages.</summary>
public static class MultiSessionSecurityHeadersExtensions
{
    /// <summary>
    /// Sends on every response from here on: a <c>Content-Security-Policy</c> without <c>'unsafe-inline'</c> (only OpenIddict's
    /// <c>form_post</c> auto-submit script is allowed, by its hash; no <c>form-action</c> rule), <c>X-Frame-Options: DENY</c>,
    /// <c>X-Content-Type-Options: nosniff</c>, <c>Referrer-Policy: no-referrer</c>, and <c>Cache-Control: no-cache, no-store</c>
    /// on HTML without a cache rule of its own. Call it first in the pipeline, so that error pages get the headers too.
    /// </summary>
    public static IApplicationBuilder UseMultiSessionSecurityHeaders(this IApplicationBuilder app, Action<MultiSessionSecurityHeadersOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        var options = new MultiSessionSecurityHeadersOptions();
        configure?.Invoke(options);
        return app.UseMiddleware<SecurityHeadersMiddleware>(Options.Create(options));
    }
}
