using System.Globalization;
using System.Net;
using IdentityServer.MultiSession.Tests.Infrastructure;
using IdpHost.Data;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>
/// prompt=login, max_age=0 and an unmet max_age end in a real authentication of the account used, whatever route the user
/// takes through the pages: the ID token's auth_time is never older than the authorization request.
/// </summary>
public sealed class PromptLoginTests(SqliteIdpFactory factory) : IClassFixture<SqliteIdpFactory>
{
    private const string Bob = "bob@example.com";

    /// <summary>A browser with alice and bob signed in a while ago (auth_time at least one second before the request).</summary>
    private async Task<(TestBrowser Browser, OidcClient Client, long RequestedAt)> SetUpAsync()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        await Task.Delay(1100);
        return (browser, new OidcClient(browser), DateTimeOffset.UtcNow.ToUnixTimeSeconds());
    }

    private static string UrlOf(HttpResponseMessage page) => page.RequestMessage!.RequestUri!.PathAndQuery;

    private static async Task<IHtmlDocument> PageAsync(HttpResponseMessage response)
    {
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Expected a page, got {(int)response.StatusCode} {response.Headers.Location}");
        return TestBrowser.Parse(html, UrlOf(response));
    }

    private static void AssertLoginPage(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("/Account/Login", UrlOf(response), StringComparison.Ordinal);
    }

    /// <summary>Submits the login form of <paramref name="page"/> as <paramref name="user"/> (its pre-filled name when null).</summary>
    private static async Task<HttpResponseMessage> SubmitLoginAsync(TestBrowser browser, IHtmlDocument page, string? user = null)
    {
        var form = page.QuerySelectorAll<IHtmlFormElement>("form").Single(f => f.QuerySelector("input[name='Input.Password']") is not null);
        var values = new Dictionary<string, string> { ["Input.Password"] = DemoUsers.Password };
        if (user is not null)
        {
            values["Input.UserName"] = user;
        }

        var response = await browser.SubmitAsync(form, values);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return await browser.FollowAsync(response);
    }

    private static async Task<HttpResponseMessage> OpenPickerFromLoginAsync(TestBrowser browser, HttpResponseMessage login)
    {
        var page = await PageAsync(login);
        var link = page.QuerySelectorAll<IHtmlAnchorElement>("a").Single(a => a.TextContent.Trim() == "Choose an account already signed in");
        return await browser.FollowAsync(await browser.GetAsync(System.Net.WebUtility.HtmlDecode(link.GetAttribute("href")!)));
    }

    private static async Task AssertFreshTokenForAsync(OidcClient client, HttpResponseMessage callback, string email, long requestedAt)
    {
        var tokens = await client.ExchangeAsync(client.Code(callback));
        Assert.Equal(HttpStatusCode.OK, tokens.Status);
        var idToken = OidcClient.Read(tokens.IdToken!);
        Assert.Equal(email, idToken.GetClaim("email").Value);
        var authTime = long.Parse(idToken.GetClaim("auth_time").Value, CultureInfo.InvariantCulture);
        Assert.True(authTime >= requestedAt, $"auth_time {authTime} is older than the request ({requestedAt}).");
    }

    [Fact]
    public async Task Prompt_login_through_the_login_form_gives_an_auth_time_not_older_than_the_request()
    {
        var (browser, client, requestedAt) = await SetUpAsync();
        var login = await client.AuthorizeAsync(new Dictionary<string, string?> { ["prompt"] = "login" });
        AssertLoginPage(login);

        var callback = await SubmitLoginAsync(browser, await PageAsync(login), "bob");
        await AssertFreshTokenForAsync(client, callback, Bob, requestedAt);
    }

    [Fact]
    public async Task Prompt_login_then_picking_a_signed_in_account_in_the_picker_asks_for_its_password_first()
    {
        var (browser, client, requestedAt) = await SetUpAsync();
        var login = await client.AuthorizeAsync(new Dictionary<string, string?> { ["prompt"] = "login" });
        AssertLoginPage(login);
        var picker = PickerPage.FromHtml(browser, await (await OpenPickerFromLoginAsync(browser, login)).Content.ReadAsStringAsync(), "/MultiSession/Accounts");

        // "Continue as bob" is not an authentication: it leads to the login form, filled in with bob's hint.
        var afterPick = await browser.FollowAsync(await picker.UseAsync(Bob));
        AssertLoginPage(afterPick);
        Assert.Equal(Bob, Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(afterPick.RequestMessage!.RequestUri!.Query)["login_hint"].ToString());
        var form = await PageAsync(afterPick);
        Assert.Equal(Bob, form.QuerySelector<IHtmlInputElement>("input[name='Input.UserName']")!.Value);

        var callback = await SubmitLoginAsync(browser, form);
        await AssertFreshTokenForAsync(client, callback, Bob, requestedAt);
    }

    [Fact]
    public async Task Prompt_login_then_the_picker_then_use_another_account_gives_an_auth_time_not_older_than_the_request()
    {
        var (browser, client, requestedAt) = await SetUpAsync();
        var login = await client.AuthorizeAsync(new Dictionary<string, string?> { ["prompt"] = "login" });
        var pickerResponse = await OpenPickerFromLoginAsync(browser, login);
        var picker = PickerPage.FromHtml(browser, await pickerResponse.Content.ReadAsStringAsync(), UrlOf(pickerResponse));

        var another = await browser.FollowAsync(await browser.GetAsync(System.Net.WebUtility.HtmlDecode(picker.AddAccountHref)));
        AssertLoginPage(another);
        var callback = await SubmitLoginAsync(browser, await PageAsync(another), "bob");
        await AssertFreshTokenForAsync(client, callback, Bob, requestedAt);
    }

    [Fact]
    public async Task Prompt_login_with_a_login_hint_gives_an_auth_time_not_older_than_the_request()
    {
        var (browser, client, requestedAt) = await SetUpAsync();
        var login = await client.AuthorizeAsync(new Dictionary<string, string?> { ["prompt"] = "login", ["login_hint"] = Bob });
        AssertLoginPage(login);

        var callback = await SubmitLoginAsync(browser, await PageAsync(login));
        await AssertFreshTokenForAsync(client, callback, Bob, requestedAt);
    }

    [Fact]
    public async Task Max_age_zero_then_picking_an_account_in_the_picker_asks_for_its_password_first()
    {
        var (browser, client, requestedAt) = await SetUpAsync();
        var login = await client.AuthorizeAsync(new Dictionary<string, string?> { ["max_age"] = "0" });
        AssertLoginPage(login);
        var pickerResponse = await OpenPickerFromLoginAsync(browser, login);
        var picker = PickerPage.FromHtml(browser, await pickerResponse.Content.ReadAsStringAsync(), UrlOf(pickerResponse));

        var afterPick = await browser.FollowAsync(await picker.UseAsync(Bob));
        AssertLoginPage(afterPick);
        var callback = await SubmitLoginAsync(browser, await PageAsync(afterPick));
        await AssertFreshTokenForAsync(client, callback, Bob, requestedAt);
    }

    [Fact]
    public async Task An_unmet_max_age_then_picking_the_account_in_the_picker_asks_for_its_password_first()
    {
        var (browser, client, requestedAt) = await SetUpAsync();
        var login = await client.AuthorizeAsync(new Dictionary<string, string?> { ["max_age"] = "1", ["login_hint"] = Bob });
        AssertLoginPage(login);
        var pickerResponse = await OpenPickerFromLoginAsync(browser, login);
        var picker = PickerPage.FromHtml(browser, await pickerResponse.Content.ReadAsStringAsync(), UrlOf(pickerResponse));

        var afterPick = await browser.FollowAsync(await picker.UseAsync(Bob));
        AssertLoginPage(afterPick);
        var callback = await SubmitLoginAsync(browser, await PageAsync(afterPick));
        await AssertFreshTokenForAsync(client, callback, Bob, requestedAt);
    }
}
