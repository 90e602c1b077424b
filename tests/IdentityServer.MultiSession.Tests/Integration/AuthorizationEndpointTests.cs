using System.Net;
using System.Text.Json;
using IdentityServer.MultiSession.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>Every row of the BEHAVIOUR.md §4 table, at OpenIddict's real authorization endpoint.</summary>
public abstract class AuthorizationEndpointTests
{
    private readonly IdpFactory factory;

    protected AuthorizationEndpointTests(IdpFactory factory)
    {
        this.factory = factory;
        factory.RequireDatabase();
    }

    private static Dictionary<string, string?> P(params (string Key, string? Value)[] pairs) => pairs.ToDictionary(p => p.Key, p => p.Value);

    private static async Task<string> SubjectOfAsync(OidcClient client, HttpResponseMessage response)
    {
        var tokens = await client.ExchangeAsync(client.Code(response));
        Assert.Equal(HttpStatusCode.OK, tokens.Status);
        return OidcClient.Read(tokens.IdToken!).GetClaim("email").Value;
    }

    [SkippableFact]
    public async Task Without_prompt_or_hint_the_active_account_is_used()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        var client = new OidcClient(browser);
        Assert.Equal("bob@example.com", await SubjectOfAsync(client, await client.AuthorizeAsync()));
    }

    [SkippableFact]
    public async Task Without_prompt_or_hint_and_nothing_signed_in_the_login_page_is_shown()
    {
        var client = new OidcClient(factory.CreateBrowser());
        using var response = await client.Browser.GetAsync(client.AuthorizeUrl());
        PickerPage.AssertRedirectTo(response, "/Account/Login?ReturnUrl=");
        var returnUrl = QueryHelpers.ParseQuery(response.Headers.Location!.ToString().Split('?', 2)[1])["ReturnUrl"].ToString();
        Assert.StartsWith("/connect/authorize?", returnUrl, StringComparison.Ordinal);

        // Signing in there returns to the request, which then gets the new account.
        using var signIn = await client.Browser.SignInAsync("erin", returnUrl);
        Assert.Equal("erin@example.com", await SubjectOfAsync(client, await client.Browser.FollowAsync(signIn)));
    }

    [SkippableFact]
    public async Task Select_account_shows_the_picker_with_every_account_and_use_another_account()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        var client = new OidcClient(browser);
        using var response = await browser.GetAsync(client.AuthorizeUrl(P(("prompt", "select_account"))));
        PickerPage.AssertRedirectTo(response, "/MultiSession/Accounts?returnUrl=");

        var picker = await PickerPage.OpenAsync(browser, response.Headers.Location!.ToString());
        Assert.Equal(2, picker.Accounts.Count);
        Assert.Contains(picker.Accounts, a => a.Contains("alice@example.com", StringComparison.Ordinal));
        Assert.Contains(picker.Accounts, a => a.Contains("bob@example.com", StringComparison.Ordinal));
        Assert.StartsWith("/Account/Login?ReturnUrl=", picker.AddAccountHref, StringComparison.Ordinal);

        // Picking alice (not the active bob) gives the client alice.
        Assert.Equal("alice@example.com", await SubjectOfAsync(client, await browser.FollowAsync(await picker.UseAsync("alice@example.com"))));
    }

    [SkippableFact]
    public async Task The_account_picked_in_one_tab_is_the_one_that_tab_receives_whatever_another_tab_does()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        var tabA = new OidcClient(browser);
        var tabB = new OidcClient(browser);

        using var toPickerA = await browser.GetAsync(tabA.AuthorizeUrl(P(("prompt", "select_account"))));
        using var toPickerB = await browser.GetAsync(tabB.AuthorizeUrl(P(("prompt", "select_account"))));
        var pickerA = await PickerPage.OpenAsync(browser, toPickerA.Headers.Location!.ToString());
        var pickerB = await PickerPage.OpenAsync(browser, toPickerB.Headers.Location!.ToString());

        // Tab A picks alice; before its redirect is followed, tab B picks bob (which becomes active) and finishes.
        using var pickedA = await pickerA.UseAsync("alice@example.com");
        var resultB = await browser.FollowAsync(await pickerB.UseAsync("bob@example.com"));
        Assert.Equal("bob@example.com", await SubjectOfAsync(tabB, resultB));
        Assert.True((await browser.SessionOfAsync("bob@example.com")).GetProperty("active").GetBoolean());

        var resultA = await browser.FollowAsync(await browser.GetAsync(pickedA.Headers.Location!.ToString()));
        Assert.Equal("alice@example.com", await SubjectOfAsync(tabA, resultA));
    }

    [SkippableFact]
    public async Task Use_another_account_from_the_picker_signs_in_and_gives_the_new_account_to_the_client()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice");
        var client = new OidcClient(browser);
        using var toPicker = await browser.GetAsync(client.AuthorizeUrl(P(("prompt", "select_account"))));
        var picker = await PickerPage.OpenAsync(browser, toPicker.Headers.Location!.ToString());
        var loginUrl = picker.AddAccountHref;
        var returnUrl = QueryHelpers.ParseQuery(loginUrl.Split('?', 2)[1])["ReturnUrl"].ToString();

        using var signIn = await browser.SignInAsync("frank", returnUrl);
        Assert.Equal("frank@example.com", await SubjectOfAsync(client, await browser.FollowAsync(signIn)));
        Assert.Equal(2, (await browser.ListAsync()).Count);
    }

    [SkippableTheory]
    [InlineData("prompt", "login")]
    [InlineData("max_age", "0")]
    public async Task Prompt_login_or_max_age_zero_shows_the_login_page_and_the_account_that_signs_in_is_used_and_becomes_active(string name, string value)
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        var client = new OidcClient(browser);
        using var response = await browser.GetAsync(client.AuthorizeUrl(P((name, value))));
        PickerPage.AssertRedirectTo(response, "/Account/Login?ReturnUrl=");
        var returnUrl = QueryHelpers.ParseQuery(response.Headers.Location!.ToString().Split('?', 2)[1])["ReturnUrl"].ToString();

        using var signIn = await browser.SignInAsync("alice", returnUrl);
        Assert.Equal("alice@example.com", await SubjectOfAsync(client, await browser.FollowAsync(signIn)));
        Assert.True((await browser.SessionOfAsync("alice@example.com")).GetProperty("active").GetBoolean());
    }

    [SkippableTheory]
    [InlineData("alice@example.com")]
    [InlineData("ALICE")]
    public async Task A_login_hint_naming_a_signed_in_account_by_email_or_user_name_uses_it_without_the_picker(string hint)
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        var client = new OidcClient(browser);
        Assert.Equal("alice@example.com", await SubjectOfAsync(client, await client.AuthorizeAsync(P(("login_hint", hint)))));
    }

    [SkippableFact]
    public async Task A_login_hint_naming_an_account_not_signed_in_here_shows_the_login_page_with_the_hint_filled_in()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice");
        var client = new OidcClient(browser);
        using var response = await browser.GetAsync(client.AuthorizeUrl(P(("login_hint", "carol@example.com"))));
        PickerPage.AssertRedirectTo(response, "/Account/Login?");
        var page = await browser.GetPageAsync(response.Headers.Location!.ToString());
        Assert.Equal("carol@example.com", page.QuerySelector<IHtmlInputElement>("input[name='Input.UserName']")!.Value);

        using var none = await browser.GetAsync(new OidcClient(browser).AuthorizeUrl(P(("login_hint", "carol@example.com"), ("prompt", "none"))));
        Assert.Equal("login_required", OidcClient.Callback(none)["error"]);
    }

    [SkippableFact]
    public async Task An_id_token_hint_uses_that_subjects_session_on_this_device()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        var first = new OidcClient(browser);
        var aliceTokens = await first.ExchangeAsync(first.Code(await first.AuthorizeAsync(P(("login_hint", "alice")))));

        // bob is active, but the hint names alice.
        var client = new OidcClient(browser);
        Assert.Equal("alice@example.com", await SubjectOfAsync(client, await client.AuthorizeAsync(P(("id_token_hint", aliceTokens.IdToken), ("prompt", "none")))));
    }

    [SkippableFact]
    public async Task An_id_token_hint_for_an_account_not_signed_in_here_gives_login_required_with_prompt_none_and_the_login_page_without()
    {
        var elsewhere = factory.CreateBrowser();
        await elsewhere.SignInOkAsync("carol");
        var first = new OidcClient(elsewhere);
        var carolTokens = await first.ExchangeAsync(first.Code(await first.AuthorizeAsync()));

        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice");
        using var none = await browser.GetAsync(new OidcClient(browser).AuthorizeUrl(P(("id_token_hint", carolTokens.IdToken), ("prompt", "none"))));
        Assert.Equal("login_required", OidcClient.Callback(none)["error"]);

        using var login = await browser.GetAsync(new OidcClient(browser).AuthorizeUrl(P(("id_token_hint", carolTokens.IdToken))));
        PickerPage.AssertRedirectTo(login, "/Account/Login?");
    }

    [SkippableFact]
    public async Task Prompt_none_with_several_accounts_and_no_hint_gives_account_selection_required()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        using var response = await browser.GetAsync(new OidcClient(browser).AuthorizeUrl(P(("prompt", "none"))));
        var callback = OidcClient.Callback(response);
        Assert.Equal("account_selection_required", callback["error"]);
        Assert.False(callback.ContainsKey("error_uri"), $"an unrelated error_uri was attached: {callback.GetValueOrDefault("error_uri")}");
    }

    [SkippableFact]
    public async Task Prompt_none_with_one_account_uses_it_silently()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("dave");
        var client = new OidcClient(browser);
        Assert.Equal("dave@example.com", await SubjectOfAsync(client, await browser.GetAsync(client.AuthorizeUrl(P(("prompt", "none"))))));
    }

    [SkippableFact]
    public async Task Prompt_none_with_nothing_signed_in_gives_login_required()
    {
        var browser = factory.CreateBrowser();
        using var response = await browser.GetAsync(new OidcClient(browser).AuthorizeUrl(P(("prompt", "none"))));
        var callback = OidcClient.Callback(response);
        Assert.Equal("login_required", callback["error"]);
    }

    [SkippableFact]
    public async Task A_selection_parameter_copied_to_another_request_is_ignored()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        var tab = new OidcClient(browser);
        using var toPicker = await browser.GetAsync(tab.AuthorizeUrl(P(("prompt", "select_account"))));
        var picker = await PickerPage.OpenAsync(browser, toPicker.Headers.Location!.ToString());
        using var picked = await picker.UseAsync("alice@example.com");
        var selection = QueryHelpers.ParseQuery(picked.Headers.Location!.OriginalString.Split('?', 2)[1])["ms_selection"].ToString();
        Assert.False(string.IsNullOrEmpty(selection));

        // The same selection on another request (other state) does not skip that request's picker.
        var other = new OidcClient(browser);
        using var response = await browser.GetAsync(other.AuthorizeUrl(P(("prompt", "select_account"), ("ms_selection", selection))));
        PickerPage.AssertRedirectTo(response, "/MultiSession/Accounts?");
    }
}

/// <summary>AuthorizationEndpointTests on SQLite.</summary>
public sealed class AuthorizationEndpointTestsOnSqlite(SqliteIdpFactory factory) : AuthorizationEndpointTests(factory), IClassFixture<SqliteIdpFactory>;

/// <summary>AuthorizationEndpointTests on PostgreSQL.</summary>
public sealed class AuthorizationEndpointTestsOnPostgreSql(PostgreSqlIdpFactory factory) : AuthorizationEndpointTests(factory), IClassFixture<PostgreSqlIdpFactory>;
