using System.Net;
using IdentityServer.MultiSession.Sessions;
using IdentityServer.MultiSession.Tests.Infrastructure;
using IdpHost.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>Expiry, cleanup, max_age and the security stamp, with the host's clock under the test's control (BEHAVIOUR.md §3.8, §3.9, §4).</summary>
public sealed class SessionLifetimeTests
{
    private static IdpFactory Create(FakeTimeProvider time, params (string Key, string Value)[] settings)
    {
        var factory = new IdpFactory { Time = time };
        foreach (var (key, value) in settings)
        {
            factory.Settings[key] = value;
        }

        return factory;
    }

    [Fact]
    public async Task A_session_unused_for_the_sliding_lifetime_expires_while_a_request_keeps_the_active_one_alive()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var factory = Create(time, ("MultiSession:SlidingExpiration", "01:00:00"));
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");

        // Any request to the IdP uses the active account (bob) and slides its expiry; alice is not used.
        time.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal(2, (await browser.ListAsync()).Count);
        time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal("bob@example.com", Assert.Single(await browser.ListAsync()).GetProperty("user").GetProperty("email").GetString());

        time.Advance(TimeSpan.FromMinutes(61));
        Assert.Empty(await browser.ListAsync());
        using var profile = await browser.GetAsync("/Account/Profile");
        PickerPage.AssertRedirectTo(profile, "/Account/Login");
    }

    [Fact]
    public async Task Using_a_session_slides_its_expiry_but_not_past_the_absolute_lifetime()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var factory = Create(time, ("MultiSession:SlidingExpiration", "01:00:00"), ("MultiSession:AbsoluteExpiration", "03:00:00"));
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice");

        for (var i = 0; i < 5; i++)
        {
            time.Advance(TimeSpan.FromMinutes(40));
            using var profile = await browser.GetAsync("/Account/Profile");
            if (i < 4)
            {
                Assert.Equal(HttpStatusCode.OK, profile.StatusCode);
            }
            else
            {
                // 200 minutes after sign-in: past the absolute lifetime of 3 hours, however recently used.
                PickerPage.AssertRedirectTo(profile, "/Account/Login");
            }
        }
    }

    [Fact]
    public async Task An_active_session_past_its_absolute_lifetime_gives_way_to_the_most_recently_used_live_one()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var factory = Create(time, ("MultiSession:SlidingExpiration", "03:00:00"), ("MultiSession:AbsoluteExpiration", "02:00:00"));
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice");
        time.Advance(TimeSpan.FromMinutes(50));
        await browser.SignInOkAsync("bob");
        var alice = (await browser.SessionOfAsync("alice@example.com")).GetProperty("sessionToken").GetString();
        using (var _ = await browser.PostJsonAsync("/multi-session/set-active", $"{{\"sessionToken\":\"{alice}\"}}"))
        {
        }

        time.Advance(TimeSpan.FromMinutes(71));
        using var response = await browser.GetAsync("/Account/Profile");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = TestBrowser.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Bob Brown", page.QuerySelector("#profile-name")!.TextContent);
        Assert.True(Assert.Single(await browser.ListAsync()).GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task Making_a_session_active_slides_its_expiry()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var factory = Create(time, ("MultiSession:SlidingExpiration", "01:00:00"));
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        var alice = await browser.SessionOfAsync("alice@example.com");
        time.Advance(TimeSpan.FromMinutes(30));
        using var response = await browser.PostJsonAsync("/multi-session/set-active", $"{{\"sessionToken\":\"{alice.GetProperty("sessionToken").GetString()}\"}}");
        var after = await browser.SessionOfAsync("alice@example.com");
        Assert.Equal(time.GetUtcNow().AddHours(1).ToUnixTimeSeconds(), after.GetProperty("expiresAt").GetDateTimeOffset().ToUnixTimeSeconds());
    }

    [Fact]
    public async Task The_background_cleanup_removes_expired_sessions_in_batches()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var factory = Create(time, ("MultiSession:SlidingExpiration", "01:00:00"), ("MultiSession:CleanupBatchSize", "2"), ("MultiSession:CleanupInterval", "30.00:00:00"));
        foreach (var users in new[] { new[] { "alice", "bob" }, new[] { "carol", "dave", "erin" } })
        {
            await factory.CreateBrowser().SignInOkAsync(users);
        }

        var live = factory.CreateBrowser();
        time.Advance(TimeSpan.FromMinutes(50));
        await live.SignInOkAsync("frank");
        Assert.Equal((3, 6), await factory.CountRowsAsync());

        time.Advance(TimeSpan.FromMinutes(20));
        var removed = await factory.Services.GetRequiredService<ExpiredSessionCleanupService>().RunOnceAsync();
        Assert.Equal(5, removed);
        Assert.Equal((1, 1), await factory.CountRowsAsync());
        Assert.Single(await live.ListAsync());
    }

    [Fact]
    public async Task A_full_cleanup_batch_removes_the_devices_it_left_empty_and_keeps_the_others()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var factory = Create(time, ("MultiSession:SlidingExpiration", "01:00:00"), ("MultiSession:CleanupInterval", "30.00:00:00"));
        await factory.CreateBrowser().SignInOkAsync("alice", "bob");
        time.Advance(TimeSpan.FromMinutes(5));
        await factory.CreateBrowser().SignInOkAsync("carol");
        time.Advance(TimeSpan.FromMinutes(50));
        await factory.CreateBrowser().SignInOkAsync("dave");
        Assert.Equal((3, 4), await factory.CountRowsAsync());

        // A batch of two, full: alice's and bob's sessions expired first; their device goes in the same batch, carol's stays
        // with her expired session for the next batch, dave's live one is untouched.
        time.Advance(TimeSpan.FromMinutes(10));
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var removed = await scope.ServiceProvider.GetRequiredService<Storage.IDeviceSessionStore>().RemoveExpiredSessionsAsync(time.GetUtcNow(), batchSize: 2);
            Assert.Equal(2, removed.Count);
        }

        Assert.Equal((2, 2), await factory.CountRowsAsync());
    }

    [Fact]
    public async Task The_cleanup_runs_by_itself_at_each_interval()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var factory = Create(time, ("MultiSession:SlidingExpiration", "00:10:00"), ("MultiSession:CleanupInterval", "00:30:00"));
        await factory.CreateBrowser().SignInOkAsync("alice", "bob");
        Assert.Equal((1, 2), await factory.CountRowsAsync());

        time.Advance(TimeSpan.FromMinutes(31));
        Assert.Equal((0, 0), await factory.WaitForRowsAsync((0, 0)));
    }

    [Fact]
    public async Task Max_age_accepts_a_recent_authentication_and_sends_an_older_one_to_the_login_page_for_that_account()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var factory = Create(time);
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice");

        var recent = new OidcClient(browser);
        var code = recent.Code(await recent.AuthorizeAsync(new Dictionary<string, string?> { ["max_age"] = "300" }));
        Assert.False(string.IsNullOrEmpty(code));

        time.Advance(TimeSpan.FromSeconds(301));
        var stale = new OidcClient(browser);
        using var response = await browser.GetAsync(stale.AuthorizeUrl(new Dictionary<string, string?> { ["max_age"] = "300" }));
        PickerPage.AssertRedirectTo(response, "/Account/Login?");
        var query = QueryHelpers.ParseQuery(response.Headers.Location!.OriginalString.Split('?', 2)[1]);
        Assert.Equal("alice@example.com", query["login_hint"].ToString());

        // Signing in again satisfies max_age: the new authentication is used.
        using var signIn = await browser.SignInAsync("alice", query["ReturnUrl"].ToString());
        var tokens = await stale.ExchangeAsync(stale.Code(await browser.FollowAsync(signIn)));
        var authTime = long.Parse(OidcClient.Read(tokens.IdToken!).GetClaim("auth_time").Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(time.GetUtcNow().ToUnixTimeSeconds(), authTime);

        using var none = await browser.GetAsync(new OidcClient(browser).AuthorizeUrl(new Dictionary<string, string?> { ["max_age"] = "1", ["prompt"] = "none" }));
        time.Advance(TimeSpan.FromSeconds(5));
        using var noneLater = await browser.GetAsync(new OidcClient(browser).AuthorizeUrl(new Dictionary<string, string?> { ["max_age"] = "1", ["prompt"] = "none" }));
        Assert.Equal("login_required", OidcClient.Callback(noneLater)["error"]);
    }

    [Fact]
    public async Task A_security_stamp_change_ends_that_users_sessions_on_every_device_at_the_next_request()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var factory = Create(time, ("MultiSession:SecurityStampValidationInterval", "00:00:00"));
        var laptop = factory.CreateBrowser();
        var phone = factory.CreateBrowser();
        await laptop.SignInOkAsync("bob", "alice");
        await phone.SignInOkAsync("alice");

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            var alice = await users.FindByNameAsync("alice");
            await users.UpdateSecurityStampAsync(alice!);
        }

        using (var response = await laptop.GetAsync("/Account/Profile"))
        {
            // alice was active on the laptop: that request is no longer hers.
            Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal("bob@example.com", Assert.Single(await laptop.ListAsync()).GetProperty("user").GetProperty("email").GetString());
        Assert.Empty(await phone.ListAsync());
    }
}
