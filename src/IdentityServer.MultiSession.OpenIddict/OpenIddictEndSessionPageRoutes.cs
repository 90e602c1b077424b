using Microsoft.AspNetCore.Mvc.ApplicationModels;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using OpenIddict.Server;

namespace IdentityServer.MultiSession.OpenIddict;

/// <summary>
/// Routes the library's end-session page at the paths of OpenIddict's end-session endpoint (for example
/// <c>/connect/endsession</c>) instead of its default area path, so that it answers OpenIddict's end-session requests only.
/// </summary>
internal sealed class OpenIddictEndSessionPageRoutes(IOptions<OpenIddictServerOptions> server) : IConfigureOptions<RazorPagesOptions>
{
    public void Configure(RazorPagesOptions options)
    {
        var paths = server.Value.EndSessionEndpointUris
            .Select(uri => (uri.IsAbsoluteUri ? uri.AbsolutePath : uri.OriginalString).Trim('/'))
            .Where(path => path.Length > 0)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
        options.Conventions.AddAreaPageRouteModelConvention(MultiSessionDefaults.AreaName, "/EndSession", model =>
        {
            model.Selectors.Clear();
            foreach (var path in paths)
            {
                model.Selectors.Add(new SelectorModel { AttributeRouteModel = new AttributeRouteModel { Template = path } });
            }
        });
    }
}
