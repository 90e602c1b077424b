using Microsoft.Extensions.Localization;

namespace IdentityServer.MultiSession.Tests.Infrastructure;

/// <summary>
/// A pseudo-locale: wraps every string found in the resources in ⟦ and ⟧, and leaves a string whose key has no resource as it
/// is, so that a page's visible text outside the markers is text that did not come from the resources.
/// </summary>
public sealed class PseudoLocalizerFactory(IStringLocalizerFactory inner) : IStringLocalizerFactory
{
    public const string Open = "⟦";

    public const string Close = "⟧";

    public IStringLocalizer Create(Type resourceSource) => new Localizer(inner.Create(resourceSource));

    public IStringLocalizer Create(string baseName, string location) => new Localizer(inner.Create(baseName, location));

    private sealed class Localizer(IStringLocalizer inner) : IStringLocalizer
    {
        public LocalizedString this[string name] => Mark(inner[name]);

        public LocalizedString this[string name, params object[] arguments] => Mark(inner[name, arguments]);

        public IEnumerable<LocalizedString> GetAllStrings(bool includeParentCultures) => inner.GetAllStrings(includeParentCultures).Select(Mark);

        private static LocalizedString Mark(LocalizedString s) =>
            s.ResourceNotFound ? s : new LocalizedString(s.Name, Open + s.Value + Close, resourceNotFound: false, s.SearchedLocation);
    }
}
