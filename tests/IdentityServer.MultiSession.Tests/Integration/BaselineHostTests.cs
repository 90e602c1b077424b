using System.Net;
using IdentityServer.MultiSession.Tests.Infrastructure;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>
/// The IdpHost with <c>MultiSession:Enabled=false</c>, the benchmark's baseline: Identity's stock application cookie (one account per
/// browser) with the same OpenIddict set-up, login page and database; the multi-session library is neither registered nor mapped.
/// </summary>
public sealed class BaselineHostTests(BaselineHostTests.Factory factory) : IClassFixture<BaselineHostTests.Factory>
{
    [Fact]
    public async Task The_baseline_signs_in_one_account_with_Identitys_cookie_and_issues_tokens_without_sid()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice");
        Assert.Contains(browser.Cookies.GetCookies(new Uri("http://localhost/")), c => c.Name == ".AspNetCore.Identity.Application");
        Assert.Null(browser.DeviceCookie);

        var home = await browser.GetPageAsync("/");
        Assert.Equal("Alice Anderson", home.QuerySelector("#active-account")!.TextContent);
        var profile = await browser.GetPageAsync("/Account/Profile");
        Assert.Equal("alice", profile.QuerySelector("#profile-username")!.TextContent);

        var client = new OidcClient(browser);
        var tokens = await client.ExchangeAsync(client.Code(await client.AuthorizeAsync(new Dictionary<string, string?> { ["login_hint"] = "alice@example.com" })));
        Assert.Equal(HttpStatusCode.OK, tokens.Status);
        var idToken = await client.ValidateIdTokenAsync(tokens.IdToken!);
        Assert.Equal("alice@example.com", idToken.GetClaim("email").Value);
        Assert.False(idToken.TryGetClaim("sid", out _));
        Assert.Equal(HttpStatusCode.OK, (await OidcClient.RefreshAsync(browser.Client, tokens.RefreshToken!)).Status);
    }

    [Fact]
    public async Task The_baseline_sends_a_login_hint_naming_another_account_to_the_login_page_and_has_no_multi_session_endpoints()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice");
        var client = new OidcClient(browser);
        using var response = await browser.GetAsync(client.AuthorizeUrl(new Dictionary<string, string?> { ["login_hint"] = "bob@example.com" }));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/Account/Login?ReturnUrl=", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.True(response.Headers.Location!.OriginalString.EndsWith("&login_hint=bob@example.com", StringComparison.Ordinal), response.Headers.Location.OriginalString);

        using var list = await browser.GetAsync("/multi-session/list-device-sessions");
        Assert.Equal(HttpStatusCode.NotFound, list.StatusCode);
        using var picker = await browser.GetAsync("/MultiSession/Accounts");
        Assert.Equal(HttpStatusCode.NotFound, picker.StatusCode);
    }

    [Fact]
    public async Task The_baseline_end_session_endpoint_signs_the_account_out_and_returns_to_the_client()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("bob");
        var url = Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString("/connect/endsession", "post_logout_redirect_uri", IdpFactory.PostLogoutRedirectUri);
        using var response = await browser.GetAsync(url);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith(IdpFactory.PostLogoutRedirectUri, response.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(browser.Cookies.GetCookies(new Uri("http://localhost/")), c => c.Name == ".AspNetCore.Identity.Application");
    }

    public sealed class Factory : IdpFactory
    {
        public Factory()
        {
            Settings["MultiSession:Enabled"] = "false";
        }
    }
}
