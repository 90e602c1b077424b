using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Localization;

namespace IdentityServer.MultiSession.Localization;

/// <summary>The languages the library's pages ship in, and the request localisation that fits them.</summary>
public static class MultiSessionCultures
{
    /// <summary>The cultures with resources: English (the default), German and French.</summary>
    public static IReadOnlyList<string> Supported { get; } = ["en", "de", "fr"];

    /// <summary>
    /// Sets <paramref name="options"/> to the supported cultures, English by default, chosen first by the language switch's
    /// cookie, then by <c>Accept-Language</c> (no query string provider: a link cannot change the language).
    /// </summary>
    public static RequestLocalizationOptions Configure(RequestLocalizationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var cultures = Supported.ToArray();
        options.SetDefaultCulture(cultures[0]).AddSupportedCultures(cultures).AddSupportedUICultures(cultures);
        options.FallBackToParentCultures = true;
        options.FallBackToParentUICultures = true;
        options.RequestCultureProviders = [new CookieRequestCultureProvider(), new AcceptLanguageHeaderRequestCultureProvider()];
        return options;
    }
}
