using System.Net;
using IdentityServer.MultiSession.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>RP-initiated logout at OpenIddict's end-session endpoint (BEHAVIOUR.md §3.7, §4).</summary>
public sealed class EndSessionTests(IdpFactory factory) : IClassFixture<IdpFactory>
{
    private static async Task<string> IdTokenAsync(TestBrowser browser, string loginHint)
    {
        var client = new OidcClient(browser);
        var tokens = await client.ExchangeAsync(client.Code(await client.AuthorizeAsync(new Dictionary<string, string?> { ["login_hint"] = loginHint })));
        return tokens.IdToken!;
    }

    private static string EndSessionUrl(string? idToken) => QueryHelpers.AddQueryString("/connect/endsession", new Dictionary<string, string?>
    {
        ["id_token_hint"] = idToken,
        ["post_logout_redirect_uri"] = IdpFactory.PostLogoutRedirectUri,
        ["state"] = "bye",
    }.Where(p => p.Value is not null));

    [Fact]
    public async Task A_hint_naming_a_session_here_signs_out_every_account_on_the_device_and_returns_to_the_client()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        var idToken = await IdTokenAsync(browser, "alice");

        using var response = await browser.GetAsync(EndSessionUrl(idToken));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith(IdpFactory.PostLogoutRedirectUri + "?state=bye", response.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.Empty(await browser.ListAsync());
    }

    private static IReadOnlyList<string> Accounts(IHtmlDocument page) =>
        page.QuerySelectorAll("ul.ms-accounts li.ms-account").Select(li => li.TextContent.Trim()).ToList();

    private static async Task<IHtmlDocument> GetInAsync(TestBrowser browser, string url, string language)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.AcceptLanguage.ParseAdd(language);
        using var response = await browser.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return TestBrowser.Parse(await response.Content.ReadAsStringAsync(), "http://localhost" + url);
    }

    [Fact]
    public async Task With_the_hinted_account_scope_the_page_offers_to_sign_out_only_the_hinted_account_and_the_others_stay()
    {
        using var scoped = new IdpFactory();
        scoped.Settings["MultiSession:EndSessionScope"] = "HintedAccount";
        scoped.Settings["Clients:1:DisplayName"] = "Photo album";
        var browser = scoped.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        var idToken = await IdTokenAsync(browser, "alice");

        using var response = await browser.GetAsync(EndSessionUrl(idToken));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = TestBrowser.Parse(await response.Content.ReadAsStringAsync(), EndSessionUrl(idToken));
        Assert.Contains("Photo album", page.QuerySelector(".ms-lead")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(2, Accounts(page).Count);
        Assert.Equal(2, (await browser.ListAsync()).Count);

        var form = page.QuerySelector<IHtmlFormElement>("form")!;
        var buttons = form.QuerySelectorAll<IHtmlButtonElement>("button").ToList();
        Assert.Equal(["account", "yes"], buttons.Select(b => b.Value));
        var only = buttons.Single(b => b.Value == "account");
        Assert.Contains("Alice", only.TextContent, StringComparison.Ordinal);
        using var confirmed = await browser.SubmitAsync(form, submitter: only);
        Assert.Equal(HttpStatusCode.Redirect, confirmed.StatusCode);
        Assert.StartsWith(IdpFactory.PostLogoutRedirectUri + "?state=bye", confirmed.Headers.Location!.ToString(), StringComparison.Ordinal);
        var left = await browser.ListAsync();
        Assert.Equal("bob@example.com", Assert.Single(left).GetProperty("user").GetProperty("email").GetString());
    }

    [Fact]
    public async Task With_the_hinted_account_scope_the_user_may_still_sign_out_of_every_account()
    {
        using var scoped = new IdpFactory();
        scoped.Settings["MultiSession:EndSessionScope"] = "HintedAccount";
        var browser = scoped.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        var idToken = await IdTokenAsync(browser, "alice");

        var page = await browser.GetPageAsync(EndSessionUrl(idToken));
        var form = page.QuerySelector<IHtmlFormElement>("form")!;
        using var confirmed = await browser.SubmitAsync(form, submitter: form.QuerySelectorAll<IHtmlButtonElement>("button").Single(b => b.Value == "yes"));
        Assert.Equal(HttpStatusCode.Redirect, confirmed.StatusCode);
        Assert.Empty(await browser.ListAsync());
    }

    [Fact]
    public async Task With_the_hinted_account_scope_a_lone_hinted_account_is_signed_out_at_once()
    {
        using var scoped = new IdpFactory();
        scoped.Settings["MultiSession:EndSessionScope"] = "HintedAccount";
        var browser = scoped.CreateBrowser();
        await browser.SignInOkAsync("alice");
        var idToken = await IdTokenAsync(browser, "alice");

        using var response = await browser.GetAsync(EndSessionUrl(idToken));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Empty(await browser.ListAsync());
    }

    [Fact]
    public async Task The_confirmation_page_names_the_client_and_each_account_that_will_be_signed_out_with_its_email()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        var url = QueryHelpers.AddQueryString(EndSessionUrl(null), "client_id", IdpFactory.ClientId);
        var page = await browser.GetPageAsync(url);

        Assert.Contains(IdpFactory.ClientId, page.QuerySelector(".ms-lead")!.TextContent, StringComparison.Ordinal);
        var accounts = Accounts(page);
        Assert.Equal(2, accounts.Count);
        Assert.Contains(accounts, a => a.Contains("alice@example.com", StringComparison.Ordinal));
        Assert.Contains(accounts, a => a.Contains("bob@example.com", StringComparison.Ordinal));
        Assert.Equal(2, page.QuerySelectorAll("ul.ms-accounts .ms-avatar").Length);
        Assert.Equal(2, (await browser.ListAsync()).Count);
    }

    [Theory]
    [InlineData("de-DE,de;q=0.9", "Abmelden?", "Eine Anwendung möchte Sie von diesem Browser abmelden.", "Von allen Konten abmelden", "Angemeldet bleiben")]
    [InlineData("fr-FR,fr;q=0.9", "Se déconnecter ?", "Une application demande à vous déconnecter de ce navigateur.", "Se déconnecter de tous les comptes", "Rester connecté")]
    public async Task The_confirmation_page_speaks_the_browsers_language(string acceptLanguage, string title, string lead, string signOutAll, string stay)
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice");
        var page = await GetInAsync(browser, EndSessionUrl(null), acceptLanguage);
        Assert.Equal(title, page.QuerySelector("h1")!.TextContent);
        Assert.Equal(lead, page.QuerySelector(".ms-lead")!.TextContent);
        Assert.Equal([signOutAll, stay], page.QuerySelectorAll("form button[name=ms_confirm]").Select(b => b.TextContent.Trim()));
        Assert.DoesNotContain("Sign out", page.Body!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_with_a_front_channel_logout_uri_is_framed_with_iss_and_the_ended_sid_before_returning_to_the_client()
    {
        using var idp = new IdpFactory();
        idp.Settings["Clients:1:FrontChannelLogoutUri"] = "http://127.0.0.4:5007/frontchannel-logout";
        var browser = idp.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        var idToken = await IdTokenAsync(browser, "alice");
        var aliceSid = (await browser.SessionOfAsync("alice@example.com")).GetProperty("sessionId").GetString()!;

        using var response = await browser.GetAsync(EndSessionUrl(idToken));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("frame-src", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Contains("http://127.0.0.4:5007", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        var page = TestBrowser.Parse(await response.Content.ReadAsStringAsync(), EndSessionUrl(idToken));
        Assert.Empty(await browser.ListAsync());

        var frame = new Uri(Assert.Single(page.QuerySelectorAll<IHtmlInlineFrameElement>("iframe.ms-frontchannel-logout")).GetAttribute("src")!);
        Assert.Equal("http://127.0.0.4:5007/frontchannel-logout", frame.GetLeftPart(UriPartial.Path));
        var query = QueryHelpers.ParseQuery(frame.Query);
        Assert.Equal("http://localhost/", query["iss"].ToString());
        Assert.Equal(aliceSid, query["sid"].ToString());

        var onwards = page.QuerySelector<IHtmlAnchorElement>("a.ms-continue")!;
        Assert.StartsWith(IdpFactory.PostLogoutRedirectUri + "?state=bye", onwards.GetAttribute("href")!, StringComparison.Ordinal);
        Assert.Empty(page.QuerySelectorAll("script"));
    }

    [Fact]
    public async Task A_hint_is_matched_by_subject_when_its_session_was_replaced_by_a_new_sign_in()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        var idToken = await IdTokenAsync(browser, "alice");
        await browser.SignInOkAsync("alice");

        using var response = await browser.GetAsync(EndSessionUrl(idToken));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Empty(await browser.ListAsync());
    }

    [Fact]
    public async Task Without_a_hint_the_user_is_asked_first_and_nothing_ends_silently()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        using var response = await browser.GetAsync(EndSessionUrl(null));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = TestBrowser.Parse(await response.Content.ReadAsStringAsync(), EndSessionUrl(null));
        Assert.Equal("Sign out?", page.QuerySelector("h1")!.TextContent);
        Assert.Equal(2, (await browser.ListAsync()).Count);

        var form = page.QuerySelector<IHtmlFormElement>("form")!;
        var stay = form.QuerySelectorAll<IHtmlButtonElement>("button").Single(b => b.Value == "no");
        using (var stayed = await browser.SubmitAsync(form, submitter: stay))
        {
            PickerPage.AssertRedirectTo(stayed, "/");
        }

        Assert.Equal(2, (await browser.ListAsync()).Count);

        var confirm = form.QuerySelectorAll<IHtmlButtonElement>("button").Single(b => b.Value == "yes");
        using var confirmed = await browser.SubmitAsync(form, submitter: confirm);
        Assert.Equal(HttpStatusCode.Redirect, confirmed.StatusCode);
        Assert.StartsWith(IdpFactory.PostLogoutRedirectUri, confirmed.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.Empty(await browser.ListAsync());
    }

    [Fact]
    public async Task A_hint_naming_no_session_on_this_device_is_suspect_and_asks_first()
    {
        var elsewhere = factory.CreateBrowser();
        await elsewhere.SignInOkAsync("carol");
        var foreignToken = await IdTokenAsync(elsewhere, "carol");

        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice");
        using var response = await browser.GetAsync(EndSessionUrl(foreignToken));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Sign out?", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Single(await browser.ListAsync());
        Assert.Single(await elsewhere.ListAsync());
    }

    [Fact]
    public async Task A_confirmation_posted_without_its_antiforgery_token_ends_nothing()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice");
        using var response = await browser.PostJsonAsync("/connect/endsession", "ms_confirm=yes", "application/x-www-form-urlencoded");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Single(await browser.ListAsync());
    }
}
