using System.Reflection;
using IdentityServer.MultiSession.Http;
using IdentityServer.MultiSession.OpenIddict;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityServer.MultiSession.Tests.Unit;

/// <summary>
/// The page models of the Razor UI follow ASP.NET Core Identity's default-UI pattern: the public type a page's <c>@model</c>
/// names is abstract and cannot be derived from or created outside the library (what a host's copy of the page renders, and
/// nothing else), and its <see cref="PageImplementationTypeAttribute"/> names an internal implementation derived from it.
/// </summary>
public sealed class PageModelSurfaceTests
{
    private static IEnumerable<Type> PageModelsOf(params Assembly[] assemblies) =>
        assemblies.SelectMany(a => a.GetTypes()).Where(t => typeof(PageModel).IsAssignableFrom(t));

    private static readonly Assembly[] Libraries = [typeof(MultiSessionOptions).Assembly, typeof(EndSessionModel).Assembly];

    [Fact]
    public void Every_public_page_model_is_abstract_with_no_constructor_a_host_can_call_and_names_an_internal_implementation()
    {
        var publicModels = PageModelsOf(Libraries).Where(t => t.IsPublic).ToList();
        Assert.True(publicModels.Count >= 5, "Public page models found: " + string.Join(", ", publicModels.Select(t => t.Name)));
        foreach (var model in publicModels)
        {
            Assert.True(model.IsAbstract, $"{model.Name} is public but not abstract");
            var reachable = model.GetConstructors(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
                .Where(c => c.IsPublic || c.IsFamily || c.IsFamilyOrAssembly);
            Assert.True(!reachable.Any(), $"{model.Name} has a constructor a host can call");

            var implementation = model.GetCustomAttribute<PageImplementationTypeAttribute>(inherit: false)?.ImplementationType;
            Assert.True(implementation is not null, $"{model.Name} names no implementation");
            Assert.False(implementation.IsPublic, $"{implementation.Name} is public");
            Assert.False(implementation.IsAbstract, $"{implementation.Name} is abstract");
            Assert.True(model.IsAssignableFrom(implementation), $"{implementation.Name} does not derive from {model.Name}");
        }
    }

    [Fact]
    public void Every_concrete_page_model_of_the_library_is_internal()
    {
        var concretePublic = PageModelsOf(Libraries).Where(t => t.IsPublic && !t.IsAbstract).Select(t => t.FullName).ToList();
        Assert.Empty(concretePublic);
    }

    [Fact]
    public void The_convention_gives_an_attributed_model_its_implementation_and_leaves_other_models_alone()
    {
        var convention = new PageImplementationConvention();
        var picker = Model(typeof(Areas.MultiSession.Pages.AccountsModel));
        convention.Apply(picker);
        Assert.Equal(typeof(Areas.MultiSession.Pages.AccountsModelImplementation), picker.ModelType!.AsType());

        var unrelated = Model(typeof(PlainModel));
        convention.Apply(unrelated);
        Assert.Equal(typeof(PlainModel), unrelated.ModelType!.AsType());
    }

    private static Microsoft.AspNetCore.Mvc.ApplicationModels.PageApplicationModel Model(Type modelType) =>
        new(new Microsoft.AspNetCore.Mvc.RazorPages.PageActionDescriptor(), modelType.GetTypeInfo(), [])
        {
            ModelType = modelType.GetTypeInfo(),
        };

    private sealed class PlainModel : PageModel
    {
    }
}
