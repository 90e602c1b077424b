using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityServer.MultiSession.Storage;

/// <summary>
/// Which requests may authenticate from the device lookup cache: GET and HEAD requests to ordinary pages. The OpenID Connect
/// endpoints (any request the OIDC engine recognised, and the configured authorization endpoints), the picker and the library's other
/// pages, the JSON API and every state-changing request always read the database.
/// </summary>
internal static class DeviceLookupCachePolicy
{
    public static bool Allows(HttpContext? context, MultiSessionOptions options)
    {
        if (context is null)
        {
            return false;
        }

        var request = context.Request;
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            return false;
        }

        var path = request.Path;
        if (path.StartsWithSegments(MultiSessionDefaults.ApiPathPrefix, StringComparison.OrdinalIgnoreCase)
            || path.StartsWithSegments("/" + MultiSessionDefaults.AreaName, StringComparison.OrdinalIgnoreCase)
            || path.StartsWithSegments(options.PickerPath, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        foreach (var endpoint in options.AuthorizationEndpointPaths)
        {
            if (path.StartsWithSegments(endpoint, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        // An OpenID Connect endpoint (authorization, token, userinfo, end-session, ...) that the OIDC engine recognised.
        foreach (var detector in context.RequestServices.GetServices<IProtocolRequestDetector>())
        {
            if (detector.IsProtocolRequest(context))
            {
                return false;
            }
        }

        return true;
    }
}
