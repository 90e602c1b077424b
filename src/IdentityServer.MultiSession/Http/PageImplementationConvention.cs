using System.Reflection;
using Microsoft.AspNetCore.Mvc.ApplicationModels;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace IdentityServer.MultiSession.Http;

/// <summary>
/// The convention behind the library's page models (the pattern of ASP.NET Core Identity's default UI): a page whose
/// <c>@model</c> is a public abstract page model carrying <see cref="PageImplementationTypeAttribute"/> gets that attribute's
/// internal implementation as its model type. Razor Pages still finds the handlers and bound properties on the public type
/// (its handler methods are virtual and overridden by the implementation), and creates the implementation with its
/// constructor's services. This holds as well for a host's own copy of the page's <c>.cshtml</c> naming the same model.
/// </summary>
internal sealed class PageImplementationConvention : IPageApplicationModelConvention, IConfigureOptions<RazorPagesOptions>
{
    public void Configure(RazorPagesOptions options) => options.Conventions.Add(this);

    public void Apply(PageApplicationModel model)
    {
        var declared = model.ModelType;
        if (declared?.GetCustomAttribute<PageImplementationTypeAttribute>(inherit: false) is not { } attribute)
        {
            return;
        }

        var implementation = attribute.ImplementationType.GetTypeInfo();
        if (implementation.IsAbstract || !declared.IsAssignableFrom(implementation))
        {
            throw new InvalidOperationException(
                $"The implementation {implementation.FullName} of the page model {declared.FullName} must be a non-abstract class derived from it.");
        }

        model.ModelType = implementation;
    }
}
