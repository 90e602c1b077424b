using System.Net;
using System.Net.Http.Headers;
using IdentityServer.MultiSession.Tests.Infrastructure;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>
/// Text that is not plain ASCII never gives a 5xx: invalid UTF-8 in a JSON body is a 400 problem, and a non-ASCII return
/// URL is validated and percent-encoded before anything is written, so the redirect after a committed sign-in can be sent.
/// </summary>
public sealed class NonAsciiInputTests(SqliteIdpFactory factory) : IClassFixture<SqliteIdpFactory>
{
    [Theory]
    [InlineData("/multi-session/set-active")]
    [InlineData("/multi-session/revoke")]
    public async Task Invalid_utf8_inside_a_json_body_is_answered_400_problem_details_and_changes_nothing(string path)
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        var before = await browser.ListAsync();

        using var content = new ByteArrayContent([.. "{\"sessionToken\":\""u8, 0xFF, 0xFE, .. "\"}"u8]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await browser.Client.PostAsync(path, content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("UTF-8", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before.Select(e => e.ToString()), (await browser.ListAsync()).Select(e => e.ToString()));
    }

    [Theory]
    [InlineData("/é", "/%C3%A9")]
    [InlineData("/Account/Profile?x=ü€😀", "/Account/Profile?x=%C3%BC%E2%82%AC%F0%9F%98%80")]
    public async Task A_non_ascii_return_url_on_the_login_post_signs_in_and_redirects_to_its_percent_encoded_form(string returnUrl, string expected)
    {
        var browser = factory.CreateBrowser();
        using var response = await browser.SignInAsync("carol", returnUrl);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(expected, response.Headers.Location!.OriginalString);
        Assert.Single(await browser.ListAsync());
    }

    [Fact]
    public async Task A_non_ascii_return_url_on_the_picker_redirects_to_its_percent_encoded_form()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("dave", "erin");
        var picker = await PickerPage.OpenAsync(browser);

        using var use = await browser.SubmitAsync(picker.UseForm("dave@example.com"), new Dictionary<string, string> { ["returnUrl"] = "/é" });
        Assert.Equal(HttpStatusCode.Redirect, use.StatusCode);
        Assert.Equal("/%C3%A9", use.Headers.Location!.OriginalString);

        var authorize = $"/connect/authorize?client_id={IdpFactory.ClientId}&login_hint=é";
        using var forRequest = await browser.SubmitAsync(picker.UseForm("erin@example.com"), new Dictionary<string, string> { ["returnUrl"] = authorize });
        Assert.Equal(HttpStatusCode.Redirect, forRequest.StatusCode);
        var location = forRequest.Headers.Location!.OriginalString;
        Assert.StartsWith("/connect/authorize?", location, StringComparison.Ordinal);
        Assert.Contains("login_hint=%C3%A9", location, StringComparison.Ordinal);
        Assert.True(location.All(c => c is > ' ' and < (char)0x7F), location);
    }
}
