using System.Net;
using System.Text.Json;
using IdentityServer.MultiSession.Tests.Infrastructure;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>
/// Pages that fail get a readable page in the library's look (404, 400, 500, and the 503 of a database outage); the JSON API
/// keeps answering problem details and the OIDC endpoints keep OpenIddict's own answers.
/// </summary>
public sealed class ErrorPagesTests(IdpFactory factory) : IClassFixture<IdpFactory>
{
    [Fact]
    public async Task An_unknown_page_gets_a_readable_404_page_with_a_way_home()
    {
        var browser = factory.CreateBrowser();
        using var response = await browser.GetAsync("/no-such-page");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var page = TestBrowser.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Page not found", page.QuerySelector("h1")!.TextContent.Trim());
        Assert.Equal("/", page.QuerySelector<IHtmlAnchorElement>("a.ms-primary")!.GetAttribute("href"));
        Assert.NotNull(page.QuerySelector("link[href='/_content/IdentityServer.MultiSession/multisession.css']"));
    }

    [Fact]
    public async Task A_form_posted_without_its_antiforgery_token_gets_a_readable_400_page()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice");
        using var response = await browser.Client.PostAsync("/MultiSession/Accounts?handler=SignOutAll", new FormUrlEncodedContent(new Dictionary<string, string>()));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var page = TestBrowser.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("This request could not be completed", page.QuerySelector("h1")!.TextContent.Trim());
    }

    [Fact]
    public async Task An_unknown_api_path_answers_problem_details_not_a_page()
    {
        var browser = factory.CreateBrowser();
        using var response = await browser.GetAsync("/multi-session/no-such-endpoint");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(404, problem.RootElement.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task The_token_endpoint_keeps_openiddicts_json_error()
    {
        var browser = factory.CreateBrowser();
        using var response = await browser.Client.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["client_id"] = IdpFactory.ClientId,
            ["code"] = "not-a-code",
            ["redirect_uri"] = IdpFactory.RedirectUri,
            ["code_verifier"] = new string('a', 43),
        }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("invalid_grant", error.RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task The_503_page_is_styled_and_offers_to_try_the_same_page_again_not_the_home_page()
    {
        using var outage = new IdpFactory();
        var browser = outage.CreateBrowser();
        await browser.SignInOkAsync("alice");
        outage.Faults.Down = true;
        using var response = await browser.GetAsync("/MultiSession/Accounts?returnUrl=%2FAccount%2FProfile");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var page = TestBrowser.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("/MultiSession/Accounts?returnUrl=%2FAccount%2FProfile", page.QuerySelector<IHtmlAnchorElement>("a.ms-primary")!.GetAttribute("href"));
        Assert.Empty(page.QuerySelectorAll("a[href='/']"));

        // Its stylesheet loads while the database is down.
        using var css = await browser.GetAsync(page.QuerySelector("link[rel=stylesheet]")!.GetAttribute("href")!);
        Assert.Equal(HttpStatusCode.OK, css.StatusCode);

        // In the browser's language.
        using var request = new HttpRequestMessage(HttpMethod.Get, "/Account/Login");
        request.Headers.AcceptLanguage.ParseAdd("fr");
        using var french = await browser.Client.SendAsync(request);
        Assert.Equal("Temporairement indisponible", TestBrowser.Parse(await french.Content.ReadAsStringAsync()).QuerySelector("h1")!.TextContent);
        outage.Faults.Down = false;
    }
}
