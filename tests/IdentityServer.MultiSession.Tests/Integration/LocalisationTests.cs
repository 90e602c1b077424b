using System.Net;
using System.Text.RegularExpressions;
using IdentityServer.MultiSession.Tests.Infrastructure;
using IdpHost.Data;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Localization;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>
/// The pages speak the browser's language (English, German, French), a language switch remembers another choice, and every
/// visible text of every page comes from the resource files.
/// </summary>
public sealed partial class LocalisationTests(IdpFactory factory) : IClassFixture<IdpFactory>
{
    private static async Task<IHtmlDocument> GetInAsync(TestBrowser browser, string url, string language)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.AcceptLanguage.ParseAdd(language);
        using var response = await browser.Client.SendAsync(request);
        return TestBrowser.Parse(await response.Content.ReadAsStringAsync(), "http://localhost" + url);
    }

    [Theory]
    [InlineData("de-DE,de;q=0.9,en;q=0.5", "de", "Anmelden", "Konto auswählen", "Ihre Konten", "Seite nicht gefunden")]
    [InlineData("fr-FR,fr;q=0.9", "fr", "Se connecter", "Choisissez un compte", "Vos comptes", "Page introuvable")]
    [InlineData("en-GB", "en", "Sign in", "Choose an account", "Your accounts", "Page not found")]
    public async Task Pages_follow_the_browsers_Accept_Language(string acceptLanguage, string lang, string login, string picker, string home, string notFound)
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        foreach (var (url, heading) in new[] { ("/Account/Login", login), ("/MultiSession/Accounts", picker), ("/", home), ("/no-such-page", notFound) })
        {
            var page = await GetInAsync(browser, url, acceptLanguage);
            Assert.Equal(heading, page.QuerySelector("h1")!.TextContent.Trim());
            Assert.StartsWith(lang, page.DocumentElement.GetAttribute("lang"), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Numbers_and_dates_are_written_the_way_the_culture_writes_them()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice");
        var german = (await GetInAsync(browser, "/", "de")).QuerySelector(".ms-account-tools .ms-email")!.TextContent;
        var english = (await GetInAsync(browser, "/", "en-US")).QuerySelector(".ms-account-tools .ms-email")!.TextContent;
        Assert.Matches(@"^Angemeldet seit \d{2}\.\d{2}\.\d{4}\s\d{2}:\d{2} UTC$", german.Trim());
        Assert.Matches(@"^Signed in \d{1,2}/\d{1,2}/\d{4}\s\d{1,2}:\d{2}\s[AP]M UTC$", english.Trim());
    }

    [Fact]
    public async Task The_language_switch_remembers_the_choice_and_comes_back_to_the_page()
    {
        var browser = factory.CreateBrowser();
        var login = await GetInAsync(browser, "/Account/Login", "de");
        var form = login.QuerySelector<IHtmlFormElement>("form.ms-language")!;
        Assert.Equal("/Account/Login", form.QuerySelector<IHtmlInputElement>("input[name=returnUrl]")!.Value);
        using var response = await browser.SubmitAsync(form, new Dictionary<string, string> { ["culture"] = "fr" });
        PickerPage.AssertRedirectTo(response, "/Account/Login");
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(".AspNetCore.Culture=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);

        // The cookie wins over Accept-Language from now on.
        Assert.Equal("Se connecter", (await GetInAsync(browser, "/Account/Login", "de")).QuerySelector("h1")!.TextContent.Trim());
    }

    [Fact]
    public async Task After_a_failed_sign_in_inside_an_authorization_the_switch_comes_back_with_the_authorization_request()
    {
        var browser = factory.CreateBrowser();
        var authorize = new OidcClient(browser).AuthorizeUrl();
        using var failed = await browser.SignInAsync("alice", returnUrl: authorize, password: "wrong");
        var page = TestBrowser.Parse(await failed.Content.ReadAsStringAsync(), "http://localhost/Account/Login");
        var back = page.QuerySelector<IHtmlInputElement>("form.ms-language input[name=returnUrl]")!.Value;
        Assert.Equal("/Account/Login?ReturnUrl=" + Uri.EscapeDataString(authorize), back);
    }

    [Theory]
    [InlineData("xx", "/Account/Login", HttpStatusCode.BadRequest)]
    [InlineData("fr", "https://evil.example/", HttpStatusCode.Redirect)]
    [InlineData("fr", "//evil.example/", HttpStatusCode.Redirect)]
    public async Task The_language_switch_accepts_only_supported_cultures_and_local_return_urls(string culture, string returnUrl, HttpStatusCode expected)
    {
        var browser = factory.CreateBrowser();
        var form = (await browser.GetPageAsync("/Account/Login")).QuerySelector<IHtmlFormElement>("form.ms-language")!;
        using var response = await browser.SubmitAsync(form, new Dictionary<string, string> { ["culture"] = culture, ["returnUrl"] = returnUrl });
        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.Redirect)
        {
            Assert.Equal("/", response.Headers.Location!.ToString());
        }
    }

    [Fact]
    public async Task A_language_switch_post_without_the_antiforgery_token_is_refused()
    {
        var browser = factory.CreateBrowser();
        await browser.GetAsync("/Account/Login");
        using var response = await browser.Client.PostAsync("/MultiSession/Language", new FormUrlEncodedContent(new Dictionary<string, string> { ["culture"] = "fr", ["returnUrl"] = "/" }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith(".AspNetCore.Culture=", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task The_switch_works_from_a_page_of_the_active_account_and_from_a_device_scoped_page()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice");
        foreach (var url in new[] { "/Account/Profile", "/MultiSession/Accounts" })
        {
            var form = (await browser.GetPageAsync(url)).QuerySelector<IHtmlFormElement>("form.ms-language")!;
            using var response = await browser.SubmitAsync(form, new Dictionary<string, string> { ["culture"] = "de" });
            PickerPage.AssertRedirectTo(response, url);
        }
    }

    /// <summary>Renders every page under the pseudo-locale and fails on visible text that did not come from the resources.</summary>
    [Fact]
    public async Task Every_visible_text_of_every_page_comes_from_the_resources()
    {
        using var pseudo = new PseudoLocaleFactory();
        pseudo.Settings["MultiSession:EndSessionScope"] = "HintedAccount";
        pseudo.Settings["MultiSession:RememberSignedOutAccounts"] = "true";
        pseudo.Settings["Clients:1:FrontChannelLogoutUri"] = "http://127.0.0.4:5007/frontchannel-logout";
        var browser = pseudo.CreateBrowser();
        var pages = new List<(string What, string Html)>();
        async Task AddAsync(string what, string url)
        {
            using var response = await browser.GetAsync(url);
            pages.Add((what, await response.Content.ReadAsStringAsync()));
        }

        await AddAsync("home, signed out", "/");
        await AddAsync("login", "/Account/Login");
        await AddAsync("404", "/no-such-page");
        await AddAsync("error", "/Error");
        await AddAsync("picker, empty", "/MultiSession/Accounts");
        foreach (var user in new[] { "alice", "bob", "carol", "dave", "erin" })
        {
            using var signedIn = await browser.SignInAsync(user);
        }

        await AddAsync("home, signed in", "/");
        await AddAsync("profile", "/Account/Profile");
        await AddAsync("picker", "/MultiSession/Accounts");
        await AddAsync("picker in an authorization", "/MultiSession/Accounts?returnUrl=" + Uri.EscapeDataString(new OidcClient(browser).AuthorizeUrl()));
        using (var limit = await browser.SignInAsync("frank"))
        {
            pages.Add(("limit", await limit.Content.ReadAsStringAsync()));
        }

        using (var failed = await browser.SignInAsync("alice", password: "wrong"))
        {
            pages.Add(("failed sign-in", await failed.Content.ReadAsStringAsync()));
        }

        var picker = await PickerPage.OpenAsync(browser);
        using (await picker.SignOutAsync("bob@example.com"))
        {
            await AddAsync("picker after a sign-out", "/MultiSession/Accounts");
        }

        pseudo.Faults.Down = true;
        await AddAsync("503", "/Account/Login");
        pseudo.Faults.Down = false;

        // The end-session page: asking first, offering the hinted account alone, and the signed-out page with its frames.
        var endSession = "/connect/endsession?client_id=" + IdpFactory.ClientId + "&post_logout_redirect_uri=" + Uri.EscapeDataString(IdpFactory.PostLogoutRedirectUri);
        await AddAsync("end session, asking first", endSession);
        var oidc = new OidcClient(browser);
        var idToken = (await oidc.ExchangeAsync(oidc.Code(await oidc.AuthorizeAsync(new Dictionary<string, string?> { ["login_hint"] = "alice@example.com" })))).IdToken!;
        var hinted = endSession + "&id_token_hint=" + idToken;
        await AddAsync("end session, offering the hinted account", hinted);
        var offer = TestBrowser.Parse(pages[^1].Html, "http://localhost" + hinted);
        var offerForm = offer.QuerySelector<IHtmlFormElement>("form")!;
        using (var signedOut = await browser.SubmitAsync(offerForm, submitter: offerForm.QuerySelectorAll<IHtmlButtonElement>("button").Single(b => b.Value == "account")))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, signedOut.StatusCode);
            pages.Add(("end session, signed out", await signedOut.Content.ReadAsStringAsync()));
        }

        await AddAsync("picker with signed-out accounts", "/MultiSession/Accounts");

        var data = DemoUsers.All.SelectMany(u => new[] { $"({u.UserName}@example.com)", u.DisplayName, u.UserName, $"{u.UserName}@example.com" })
            .Append(IdpFactory.ClientId)
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
                for (var before = ""; before != rest;)
                {
                    before = rest;
                    rest = Marked().Replace(rest, string.Empty);
                }

                foreach (var value in data)
                {
                    rest = rest.Replace(value, string.Empty, StringComparison.Ordinal);
                }

                rest = SessionId().Replace(rest, string.Empty);
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

        foreach (var element in document.QuerySelectorAll("[aria-label], [title], [placeholder], [alt], input[type=submit], input[type=button]"))
        {
            foreach (var attribute in new[] { "aria-label", "title", "placeholder", "alt", "value" })
            {
                if (element.GetAttribute(attribute) is { Length: > 0 } value && (attribute != "value" || element is IHtmlInputElement))
                {
                    yield return value;
                }
            }
        }
    }

    [GeneratedRegex("⟦[^⟦⟧]*⟧")]
    private static partial Regex Marked();

    [GeneratedRegex("[0-9A-Za-z_-]{20,}")]
    private static partial Regex SessionId();

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
