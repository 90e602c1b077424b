using System.Net;
using System.Text.RegularExpressions;
using IdentityServer.MultiSession.Tests.Infrastructure;
using IdpHost.Data;
using IdpHost.External;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Localization;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>
/// The pages of the external sign-in: shown only when a provider is configured, readable when there is nothing to continue,
/// uncached, and every visible text from the resources (checked under a pseudo-locale, with a real upstream provider).
/// </summary>
public sealed partial class ExternalSignInPagesTests(ExternalSignInPagesTests.PseudoLocaleExternalIdpFactory factory)
    : IClassFixture<ExternalSignInPagesTests.PseudoLocaleExternalIdpFactory>
{
    [Fact]
    public async Task Without_a_configured_provider_the_login_page_shows_no_provider_button()
    {
        using var plain = new IdpFactory();
        var page = await plain.CreateBrowser().GetPageAsync("/Account/Login");
        Assert.Null(page.QuerySelector("input[name=Provider]"));
        Assert.Null(page.QuerySelector(".ms-external"));
    }

    [Theory]
    [InlineData("Development", "ftp://provider.example/", "client", "ExternalProviders:Oidc:Authority must be an absolute http(s) URL (was 'ftp://provider.example/')")]
    [InlineData("Development", "not a url", "client", "ExternalProviders:Oidc:Authority must be an absolute http(s) URL (was 'not a url')")]
    [InlineData("Development", "https://provider.example/", "", "ExternalProviders:Oidc:Authority and ExternalProviders:Oidc:ClientId are both required")]
    [InlineData("Development", "", "client", "ExternalProviders:Oidc:Authority and ExternalProviders:Oidc:ClientId are both required")]
    [InlineData("Production", "http://provider.example/", "client", "ExternalProviders:Oidc:Authority must be an https URL (was 'http://provider.example/')")]
    public void A_bad_provider_setting_stops_the_host_with_a_message_that_names_it(string environment, string authority, string clientId, string expected)
    {
        using var host = new IdpFactory { EnvironmentName = environment };
        host.Settings["ExternalProviders:Oidc:Authority"] = authority;
        host.Settings["ExternalProviders:Oidc:ClientId"] = clientId;
        var exception = Assert.ThrowsAny<Exception>(() => host.CreateClient());
        var messages = new List<string>();
        for (var e = exception; e is not null; e = e.InnerException)
        {
            messages.Add(e.Message);
        }

        Assert.Contains(expected, string.Join(" | ", messages), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_callback_without_an_external_sign_in_says_so_and_is_not_cached()
    {
        using var response = await factory.CreateBrowser().GetAsync("/Account/ExternalLogin?handler=Callback&ReturnUrl=%2FAccount%2FProfile");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("no-store", response.Headers.CacheControl!.ToString(), StringComparison.Ordinal);
        var page = TestBrowser.Parse(await response.Content.ReadAsStringAsync());
        Assert.NotNull(page.QuerySelector("[role=alert]"));
        Assert.Null(page.QuerySelector("form.ms-external-create"));
        Assert.Equal("/Account/Login?ReturnUrl=%2FAccount%2FProfile", page.QuerySelectorAll<IHtmlAnchorElement>(".ms-nav a").First().GetAttribute("href"));
    }

    [Fact]
    public async Task Posting_an_unknown_provider_goes_back_to_the_login_page()
    {
        var browser = factory.CreateBrowser();
        var form = (await browser.GetPageAsync("/Account/Login")).QuerySelectorAll<IHtmlFormElement>("form").Single(f => f.QuerySelector("input[name=Provider]") is not null);
        using var response = await browser.SubmitAsync(form, new Dictionary<string, string> { ["Provider"] = "Identity.Application" });
        PickerPage.AssertRedirectTo(response, "/Account/Login");
    }

    [Fact]
    public async Task Posting_the_provider_button_without_the_antiforgery_token_is_refused()
    {
        var browser = factory.CreateBrowser();
        await browser.GetAsync("/Account/Login");
        using var response = await browser.Client.PostAsync("/Account/ExternalLogin", new FormUrlEncodedContent(new Dictionary<string, string> { ["Provider"] = ExternalProviderExtensions.Scheme }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    /// <summary>Renders each external sign-in page under the pseudo-locale and fails on visible text that did not come from the resources.</summary>
    [Fact]
    public async Task Every_visible_text_of_the_external_sign_in_pages_comes_from_the_resources()
    {
        var browser = factory.CreateBrowser();
        var local = await TwoFactorAccounts.CreateAsync(factory, twoFactor: false);
        var external = await TwoFactorAccounts.CreateAsync(factory.Upstream, twoFactor: false, prefix: "up");
        var pages = new List<(string What, string Html)>();

        var login = await browser.GetPageAsync("/Account/Login");
        pages.Add(("login with a provider", login.DocumentElement.OuterHtml));
        using (var expired = await browser.GetAsync("/Account/ExternalLogin?handler=Callback"))
        {
            pages.Add(("external sign-in, nothing to continue", await expired.Content.ReadAsStringAsync()));
        }

        var challenge = await browser.SubmitAsync(login.QuerySelectorAll<IHtmlFormElement>("form").Single(f => f.QuerySelector("input[name=Provider]") is not null));
        var back = await factory.Upstream.CreateUpstreamBrowser().AuthorizeAsync(challenge.Headers.Location!, external.UserName);
        using var callback = await browser.GetAsync(back.PathAndQuery);
        var choices = await browser.GetPageAsync(callback.Headers.Location!.ToString());
        pages.Add(("external sign-in, create or link", choices.DocumentElement.OuterHtml));
        using (var wrong = await browser.SubmitAsync(choices.QuerySelector<IHtmlFormElement>("form.ms-external-link")!, new Dictionary<string, string> { ["UserName"] = local.UserName, ["Password"] = "wrong" }))
        {
            pages.Add(("external sign-in, wrong password", await wrong.Content.ReadAsStringAsync()));
        }

        using (var taken = await browser.SubmitAsync(choices.QuerySelector<IHtmlFormElement>("form.ms-external-create")!, new Dictionary<string, string> { ["Email"] = local.Email }))
        {
            pages.Add(("external sign-in, email taken", await taken.Content.ReadAsStringAsync()));
        }

        await browser.SignInOkAsync(local.UserName);
        pages.Add(("external logins", (await browser.GetPageAsync("/Account/Manage/ExternalLogins")).DocumentElement.OuterHtml));

        var data = new[] { ExternalIdpFactory.ProviderDisplayName, local.Email, local.UserName, external.Email, external.UserName }
            .Concat(DemoUsers.All.SelectMany(u => new[] { $"({u.UserName}@example.com)", u.DisplayName, u.UserName, $"{u.UserName}@example.com" }))
            .OrderByDescending(d => d.Length)
            .ToList();
        var failures = new List<string>();
        foreach (var (what, html) in pages)
        {
            var document = TestBrowser.Parse(html);
            Assert.True(document.Body!.TextContent.Contains(PseudoLocalizerFactory.Open, StringComparison.Ordinal), $"{what} has no marked text: {html[..Math.Min(html.Length, 3000)]}");
            foreach (var text in VisibleTexts(document))
            {
                var rest = text;
                for (var before = string.Empty; before != rest;)
                {
                    before = rest;
                    rest = Marked().Replace(rest, string.Empty);
                }

                rest = data.Aggregate(rest, (current, value) => current.Replace(value, string.Empty, StringComparison.Ordinal));
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
        var walker = document.CreateTreeWalker(document.Body!, FilterSettings.Text);
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

    /// <summary>The host with an external provider, every resource text marked.</summary>
    public sealed class PseudoLocaleExternalIdpFactory : ExternalIdpFactory
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
