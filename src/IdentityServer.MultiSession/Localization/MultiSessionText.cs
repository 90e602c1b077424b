using Microsoft.Extensions.Localization;

[assembly: ResourceLocation("Resources")]
[assembly: RootNamespace("IdentityServer.MultiSession")]

namespace IdentityServer.MultiSession.Localization;

/// <summary>
/// Names the resources of the library's pages (<c>Resources/MultiSessionText.resx</c>, with German and French):
/// inject <c>IStringLocalizer&lt;MultiSessionText&gt;</c> in a page of your own that overrides one of the library's.
/// </summary>
public sealed class MultiSessionText
{
    private MultiSessionText()
    {
    }
}
