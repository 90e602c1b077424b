using IdentityServer.MultiSession.Api;
using Microsoft.AspNetCore.Routing;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the multi-session endpoints.</summary>
public static class MultiSessionEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the JSON API of BEHAVIOUR.md §6 under <c>/multi-session</c> (with "Your devices" under <c>/multi-session/devices</c>)
    /// and the administration API under <c>/multi-session/admin/api</c>. The picker, "Your devices" and administration pages are
    /// Razor pages of the library's <c>MultiSession</c> area, mapped by <c>MapRazorPages()</c>.
    /// </summary>
    public static IEndpointConventionBuilder MapMultiSession(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapMultiSessionAdministrationApi();
        return endpoints.MapMultiSessionApi();
    }
}
