using System.Net;
using System.Text.Json;
using IdentityServer.MultiSession.Sessions;
using IdentityServer.MultiSession.Storage;
using IdentityServer.MultiSession.Tests.Infrastructure;
using IdpHost.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>
/// The device lookup cache on the instance that writes (SQLite, one process): ordinary pages are served from it, every write
/// through the store invalidates the device's entry in the same call, and the authorization endpoint, the token and userinfo
/// endpoints, the picker and the JSON API never read it.
/// </summary>
public sealed class DeviceLookupCacheTests(CachedLookupIdpFactory factory) : IClassFixture<CachedLookupIdpFactory>
{
    private DeviceLookupCache Cache => factory.Services.GetRequiredService<DeviceLookupCache>();

    [Fact]
    public async Task An_ordinary_page_is_served_from_the_cache_after_the_first_lookup()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice");
        await AssertProfileAsync(browser, "Alice Anderson");
        var hits = Cache.Hits;
        await AssertProfileAsync(browser, "Alice Anderson");
        await AssertProfileAsync(browser, "Alice Anderson");
        Assert.True(Cache.Hits >= hits + 2, $"hits {hits} -> {Cache.Hits}");
        Assert.Equal(DeviceLookupCacheChannel.Local, Cache.Channel);
    }

    [Fact]
    public async Task Revoking_the_active_account_through_the_api_shows_the_next_account_on_the_next_page()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        await WarmAsync(browser, "Bob Brown");

        var bob = (await browser.SessionOfAsync("bob@example.com")).GetProperty("sessionToken").GetString();
        using (var revoked = await browser.PostJsonAsync("/multi-session/revoke", JsonSerializer.Serialize(new { sessionToken = bob })))
        {
            Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        }

        await AssertProfileAsync(browser, "Alice Anderson");
    }

    [Fact]
    public async Task Revoking_the_last_account_is_refused_on_the_next_page()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("carol");
        var copy = CopyOf(browser);
        await WarmAsync(copy, "Carol Clark");

        var carol = (await browser.ListAsync())[0].GetProperty("sessionToken").GetString();
        using (var revoked = await browser.PostJsonAsync("/multi-session/revoke", JsonSerializer.Serialize(new { sessionToken = carol })))
        {
            Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        }

        await AssertSignedOutAsync(copy);
    }

    [Fact]
    public async Task Switching_accounts_shows_the_new_active_account_on_the_next_page()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        await WarmAsync(browser, "Bob Brown");

        var alice = (await browser.SessionOfAsync("alice@example.com")).GetProperty("sessionToken").GetString();
        using (var switched = await browser.PostJsonAsync("/multi-session/set-active", JsonSerializer.Serialize(new { sessionToken = alice })))
        {
            Assert.Equal(HttpStatusCode.OK, switched.StatusCode);
        }

        await AssertProfileAsync(browser, "Alice Anderson");
    }

    [Theory]
    [InlineData("dave")]
    [InlineData("erin")]
    public async Task A_copy_of_the_device_cookie_taken_before_a_sign_in_is_refused_at_once_after_it(string signsInNext)
    {
        // Another account, or the same account again (a re-authentication renews the session in place): either rotates the secret.
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("erin");
        var copy = CopyOf(browser);
        await WarmAsync(copy, "Erin Evans");

        await browser.SignInOkAsync(signsInNext);

        await AssertSignedOutAsync(copy);
    }

    [Fact]
    public async Task Signing_out_of_every_account_is_refused_at_once_for_a_copy_of_the_cookie()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("frank", "alice");
        var copy = CopyOf(browser);
        await WarmAsync(copy, "Alice Anderson");

        using (var signedOut = await browser.PostJsonAsync("/multi-session/sign-out", null))
        {
            Assert.Equal(HttpStatusCode.OK, signedOut.StatusCode);
        }

        await AssertSignedOutAsync(copy);
    }

    [Fact]
    public async Task Ending_every_session_of_a_user_is_refused_on_the_next_page()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("bob");
        await WarmAsync(browser, "Bob Brown");

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var userId = (await scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>().FindByNameAsync("bob"))!.Id;
            Assert.True(await scope.ServiceProvider.GetRequiredService<IDeviceSessionService>().RevokeUserSessionsAsync(userId) >= 1);
        }

        await AssertSignedOutAsync(browser);
    }

    [Fact]
    public async Task A_security_stamp_change_ends_the_cached_session_at_once()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("carol");
        await WarmAsync(browser, "Carol Clark");

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            var carol = (await users.FindByNameAsync("carol"))!;
            Assert.True((await users.UpdateSecurityStampAsync(carol)).Succeeded);
            Assert.True(await scope.ServiceProvider.GetRequiredService<IDeviceSessionService>().RevokeStaleSessionsAsync(carol.Id) >= 1);
        }

        await AssertSignedOutAsync(browser);
    }

    [Fact]
    public async Task The_authorization_endpoint_userinfo_token_endpoint_picker_and_api_never_read_the_cache()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("dave");
        var tokens = await TokenProbe.ForAsync(browser, "dave@example.com");
        await WarmAsync(browser, "Dave Davis");
        var sessionId = (await browser.ListAsync())[0].GetProperty("sessionId").GetString()!;

        // The session ends behind the store's back (a statement the cache is not told about): only what reads the cache still
        // sees it. On SQLite this stands for a write the cache cannot learn of; every write of the library goes through the store.
        await factory.WithDatabaseAsync(async db =>
        {
            await db.Database.ExecuteSqlInterpolatedAsync($"DELETE FROM \"MultiSessionDeviceSessionClients\" WHERE \"SessionId\" = {sessionId}");
            return await db.Database.ExecuteSqlInterpolatedAsync($"DELETE FROM \"MultiSessionDeviceSessions\" WHERE \"Id\" = {sessionId}");
        });
        await AssertProfileAsync(browser, "Dave Davis");

        var client = new OidcClient(browser);
        var callback = OidcClient.Callback(await client.AuthorizeAsync(new Dictionary<string, string?> { ["prompt"] = "none" }));
        Assert.Equal("login_required", callback.GetValueOrDefault("error"));
        using (var picker = await browser.GetAsync(MultiSessionDefaults.PickerPath))
        {
            Assert.DoesNotContain("dave@example.com", await picker.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Empty(await browser.ListAsync());
        await tokens.AssertRefusedAsync();
    }

    private static TestBrowser CopyOf(TestBrowser browser)
    {
        var copy = browser.Factory.CreateBrowser();
        foreach (System.Net.Cookie cookie in browser.Cookies.GetAllCookies())
        {
            copy.Cookies.Add(new System.Net.Cookie(cookie.Name, cookie.Value, cookie.Path, cookie.Domain));
        }

        return copy;
    }

    private async Task WarmAsync(TestBrowser browser, string name)
    {
        await AssertProfileAsync(browser, name);
        var hits = Cache.Hits;
        await AssertProfileAsync(browser, name);
        Assert.True(Cache.Hits > hits, "the second page was not served from the cache");
    }

    private static async Task AssertProfileAsync(TestBrowser browser, string name)
    {
        using var response = await browser.GetAsync("/Account/Profile");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = TestBrowser.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(name, page.QuerySelector("#profile-name")?.TextContent);
    }

    private static async Task AssertSignedOutAsync(TestBrowser browser)
    {
        using var response = await browser.GetAsync("/Account/Profile");
        PickerPage.AssertRedirectTo(response, "/Account/Login");
    }
}
