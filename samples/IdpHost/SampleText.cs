using Microsoft.Extensions.Localization;

[assembly: ResourceLocation("Resources")]
[assembly: RootNamespace("IdpHost")]

namespace IdpHost;

/// <summary>Names the resources of the sample's pages: <c>Resources/SampleText.resx</c>, with German and French.</summary>
public sealed class SampleText
{
    private SampleText()
    {
    }
}
