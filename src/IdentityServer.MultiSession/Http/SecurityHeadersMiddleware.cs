using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace IdentityServer.MultiSession.Http;

/// <summary>
/// Sends the security headers on every response, whoever writes it (pages, the JSON API, OpenIddict, the exception handler):
/// they are set when the response starts. HTML without a cache rule of its own is never stored.
/// </summary>
internal sealed class SecurityHeadersMiddleware(RequestDelegate next, IOptions<MultiSessionSecurityHeadersOptions> options)
{
    private readonly MultiSessionSecurityHeadersOptions _options = options.Value;
    private readonly string _policy = options.Value.BuildContentSecurityPolicy();
    private readonly string _referrerPolicy = options.Value.ReferrerPolicy;

    public Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(
            static state =>
            {
                var (middleware, response) = ((SecurityHeadersMiddleware, HttpResponse))state;
                middleware.Apply(response);
                return Task.CompletedTask;
            },
            (this, context.Response));
        return next(context);
    }

    private void Apply(HttpResponse response)
    {
        var headers = response.Headers;
        // A page may allow frames of its own (the picker's front-channel logout frames): for that response only.
        headers.ContentSecurityPolicy = response.HttpContext.Items[MultiSessionResponseExtensions.FrameSourcesItem] is IReadOnlyCollection<string> frames
            ? _options.BuildContentSecurityPolicy(frames)
            : _policy;
        headers.XFrameOptions = "DENY";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = _referrerPolicy;
        if (headers.CacheControl.Count == 0 && response.ContentType?.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) == true)
        {
            response.PreventCaching();
        }
    }
}
