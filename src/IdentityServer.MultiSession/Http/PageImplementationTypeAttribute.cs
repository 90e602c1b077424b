namespace IdentityServer.MultiSession.Http;

/// <summary>
/// Names the internal class that implements a page model of the library's Razor UI. The public page model (the type a page's
/// <c>@model</c> names, so that a host's copy of the page can render it) is abstract; <see cref="PageImplementationConvention"/>
/// makes Razor Pages create this implementation for it. Only the exact type carrying the attribute is replaced (it is not
/// inherited).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
internal sealed class PageImplementationTypeAttribute(Type implementationType) : Attribute
{
    /// <summary>The non-abstract class derived from the attributed page model that Razor Pages creates.</summary>
    public Type ImplementationType { get; } = implementationType;
}
