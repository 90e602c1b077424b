using System.Net;
using IdentityServer.MultiSession.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>
/// Front-channel logout from the account picker: after one account is signed out, the page that confirms it loads the
/// front-channel logout URI of each client of that account only, with <c>iss</c> and that account's <c>sid</c>.
/// </summary>
public sealed class FrontChannelLogoutTests : IDisposable
{
    private readonly IdpFactory _idp = new();

    public FrontChannelLogoutTests()
    {
        AddClient(2, "fc-alice-app", "http://127.0.0.2:5005/frontchannel-logout");
        AddClient(3, "fc-bob-app", "http://127.0.0.3:5006/frontchannel-logout?tenant=t1");
    }

    public void Dispose() => _idp.Dispose();

    private void AddClient(int index, string clientId, string frontChannel)
    {
        _idp.Settings[$"Clients:{index}:ClientId"] = clientId;
        _idp.Settings[$"Clients:{index}:RedirectUris:0"] = IdpFactory.RedirectUri;
        _idp.Settings[$"Clients:{index}:FrontChannelLogoutUri"] = frontChannel;
    }

    private static async Task AuthorizeAsync(TestBrowser browser, string clientId, string loginHint)
    {
        var client = new OidcClient(browser);
        using var response = await client.AuthorizeAsync(new Dictionary<string, string?> { ["client_id"] = clientId, ["login_hint"] = loginHint });
        client.Code(response);
    }

    private static List<string> Frames(IHtmlDocument page) =>
        page.QuerySelectorAll<IHtmlInlineFrameElement>("iframe.ms-frontchannel-logout").Select(f => f.GetAttribute("src")!).ToList();

    [Fact]
    public async Task Signing_bob_out_in_the_picker_loads_only_his_clients_front_channel_logout_uri_with_iss_and_his_sid()
    {
        var browser = _idp.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        await AuthorizeAsync(browser, "fc-alice-app", "alice@example.com");
        await AuthorizeAsync(browser, "fc-bob-app", "bob@example.com");
        var bobSid = (await browser.SessionOfAsync("bob@example.com")).GetProperty("sessionId").GetString()!;

        var picker = await PickerPage.OpenAsync(browser);
        Assert.Empty(Frames(picker.Document));
        using var signedOut = await picker.SignOutAsync("bob@example.com");
        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        var confirmation = await browser.GetPageAsync(signedOut.Headers.Location!.ToString());

        var frame = new Uri(Assert.Single(Frames(confirmation)));
        Assert.Equal("http://127.0.0.3:5006/frontchannel-logout", frame.GetLeftPart(UriPartial.Path));
        var query = QueryHelpers.ParseQuery(frame.Query);
        Assert.Equal("t1", query["tenant"].ToString());
        Assert.Equal("http://localhost/", query["iss"].ToString());
        Assert.Equal(bobSid, query["sid"].ToString());
        Assert.Contains("alice@example.com", Assert.Single((await PickerPage.OpenAsync(browser)).Accounts), StringComparison.Ordinal);

        // Shown once: the next visit of the picker loads no frame.
        Assert.Empty(Frames((await PickerPage.OpenAsync(browser)).Document));
    }
}
