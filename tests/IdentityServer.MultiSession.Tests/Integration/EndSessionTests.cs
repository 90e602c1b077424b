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

    [Fact]
    public async Task With_the_hinted_account_scope_only_the_account_named_by_the_hint_is_signed_out()
    {
        using var scoped = new IdpFactory();
        scoped.Settings["MultiSession:EndSessionScope"] = "HintedAccount";
        var browser = scoped.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        var idToken = await IdTokenAsync(browser, "alice");

        using var response = await browser.GetAsync(EndSessionUrl(idToken));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var left = await browser.ListAsync();
        Assert.Equal("bob@example.com", Assert.Single(left).GetProperty("user").GetProperty("email").GetString());
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
