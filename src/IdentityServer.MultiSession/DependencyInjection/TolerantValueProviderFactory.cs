using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace IdentityServer.MultiSession.DependencyInjection;

/// <summary>
/// Wraps MVC's jQuery-style value provider factories (form and query string). They rewrite keys such as <c>a[b]</c> and throw
/// an <see cref="ArgumentException"/> for a key that is not valid jQuery syntax (<c>x[y</c>), which any client can send and
/// which would otherwise answer 500 on every page. Here such a request is bound without the jQuery rewriting: the odd key is
/// simply not bound, like any unknown field.
/// </summary>
internal sealed class TolerantValueProviderFactory(IValueProviderFactory inner) : IValueProviderFactory
{
    public IValueProviderFactory Inner { get; } = inner;

    public async Task CreateValueProviderAsync(ValueProviderFactoryContext context)
    {
        var count = context.ValueProviders.Count;
        try
        {
            await Inner.CreateValueProviderAsync(context);
        }
        catch (ArgumentException)
        {
            while (context.ValueProviders.Count > count)
            {
                context.ValueProviders.RemoveAt(context.ValueProviders.Count - 1);
            }
        }
    }
}
