using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.Extensions.Options;

namespace IdentityServer.MultiSession.DependencyInjection;

/// <summary>Wraps the jQuery value provider factories in <see cref="TolerantValueProviderFactory"/> (malformed keys never give a 500).</summary>
internal sealed class TolerantValueProvidersSetup : IPostConfigureOptions<MvcOptions>
{
    public void PostConfigure(string? name, MvcOptions options)
    {
        var factories = options.ValueProviderFactories;
        for (var i = 0; i < factories.Count; i++)
        {
            if (factories[i] is JQueryFormValueProviderFactory or JQueryQueryStringValueProviderFactory)
            {
                factories[i] = new TolerantValueProviderFactory(factories[i]);
            }
        }
    }
}
