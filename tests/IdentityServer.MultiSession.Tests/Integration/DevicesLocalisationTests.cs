using System.Text.RegularExpressions;
using IdentityServer.MultiSession.Administration;
using IdentityServer.MultiSession.Tests.Infrastructure;
using IdpHost.Data;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Localization;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>
/// "Your devices" and the administration pages speak German and French, and every visible text of theirs comes from the
/// resources (a pseudo-locale render); only data is left: names, emails, setting names and values, client ids.
/// </summary>
public sealed partial class DevicesLocalisationTests
{
    [Theory]
    [InlineData("de", "Ihre Geräte", "Sitzungsverwaltung")]
    [InlineData("fr", "Vos appareils", "Administration des sessions")]
    public async Task The_pages_follow_the_browsers_language(string language, string devices, string administration)
    {
        using var factory = new IdpFactory();
        var admin = DeviceBrowsers.Browser(factory, DeviceBrowsers.ChromeOnWindows);
        admin.Client.DefaultRequestHeaders.AcceptLanguage.ParseAdd(language);
        await admin.SignInOkAsync(DemoUsers.Administrator.UserName);
        Assert.Equal(devices, (await admin.GetPageAsync("/MultiSession/Devices")).QuerySelector("h1")!.TextContent.Trim());
        Assert.Equal(administration, (await admin.GetPageAsync("/MultiSession/Admin")).QuerySelector("h1")!.TextContent.Trim());
    }

    [Fact]
    public async Task Every_visible_text_of_the_devices_and_administration_pages_comes_from_the_resources()
    {
        using var factory = new PseudoLocaleFactory();
        var user = await DeviceBrowsers.NewUserAsync(factory, "Zed");
        var browsers = await DeviceBrowsers.SignedInOnThreeAsync(factory, user);
        await DeviceBrowsers.GetTokensAsync(browsers[0]);
        var admin = DeviceBrowsers.Browser(factory, DeviceBrowsers.ChromeOnWindows);
        await admin.SignInOkAsync(DemoUsers.Administrator.UserName);

        var pages = new List<(string What, IHtmlDocument Page)>
        {
            ("your devices", await browsers[0].GetPageAsync("/MultiSession/Devices")),
            ("administration", await admin.GetPageAsync("/MultiSession/Admin")),
            ("administration, a search", await admin.GetPageAsync($"/MultiSession/Admin?query={user}@example.com")),
            ("administration, nobody found", await admin.GetPageAsync("/MultiSession/Admin?query=nobody@example.com")),
        };
        var link = pages[2].Page.QuerySelector<IHtmlAnchorElement>(".ms-users a")!.GetAttribute("href")!;
        pages.Add(("a user's sessions", await admin.GetPageAsync(link)));

        var settings = factory.Services.GetRequiredService<MultiSessionEffectiveOptions>().Read();
        var data = new[] { user, $"{user}@example.com", $"({user}@example.com)", "Zed", IdpFactory.ClientId, "appsettings.json" }
            .Concat(settings.Select(s => s.Name))
            .Concat(settings.Select(s => MultiSessionEffectiveOptions.Format(s.Value)).OfType<string>())
            .Where(d => d.Length > 0)
            .OrderByDescending(d => d.Length)
            .ToList();
        var failures = new List<string>();
        foreach (var (what, page) in pages)
        {
            Assert.Contains(PseudoLocalizerFactory.Open, page.Body!.TextContent, StringComparison.Ordinal);
            foreach (var text in VisibleTexts(page))
            {
                var rest = text;
                for (var before = string.Empty; before != rest;)
                {
                    before = rest;
                    rest = Marked().Replace(rest, string.Empty);
                }

                foreach (var value in data)
                {
                    rest = rest.Replace(value, string.Empty, StringComparison.Ordinal);
                }

                if (rest.Any(char.IsLetter))
                {
                    failures.Add($"{what}: \"{text}\"");
                }
            }
        }

        Assert.True(failures.Count == 0, "Text not from the resources:\n" + string.Join("\n", failures.Distinct()));
    }

    private static IEnumerable<string> VisibleTexts(IHtmlDocument document)
    {
        yield return document.Title ?? string.Empty;
        var walker = document.CreateTreeWalker(document.Body!, AngleSharp.Dom.FilterSettings.Text);
        while (walker.ToNext() is { } node)
        {
            if (node.Parent is IElement { LocalName: not ("script" or "style") } && node.TextContent.Trim() is { Length: > 0 } text)
            {
                yield return text;
            }
        }

        foreach (var element in document.QuerySelectorAll("[aria-label], [title], [placeholder], [alt]"))
        {
            foreach (var attribute in new[] { "aria-label", "title", "placeholder", "alt" })
            {
                if (element.GetAttribute(attribute) is { Length: > 0 } value)
                {
                    yield return value;
                }
            }
        }
    }

    [GeneratedRegex("⟦[^⟦⟧]*⟧")]
    private static partial Regex Marked();

    private sealed class PseudoLocaleFactory : IdpFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services =>
            {
                services.AddSingleton<ResourceManagerStringLocalizerFactory>();
                services.AddSingleton<IStringLocalizerFactory>(sp => new PseudoLocalizerFactory(sp.GetRequiredService<ResourceManagerStringLocalizerFactory>()));
            });
        }
    }
}
