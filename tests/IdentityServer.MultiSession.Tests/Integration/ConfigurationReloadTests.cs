using System.Net;
using IdentityServer.MultiSession.Tests.Infrastructure;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>
/// Options changed while the IdP runs: valid ones apply at once, invalid ones are refused and logged while the last good ones
/// stay in force, and a lowered limit signs nobody out.
/// </summary>
public abstract class ConfigurationReloadTests
{
    private readonly string provider;

    protected ConfigurationReloadTests(string provider)
    {
        this.provider = provider;
    }

    private ReloadableIdpFactory Create()
    {
        var factory = new ReloadableIdpFactory { Provider = provider };
        factory.RequireDatabase();
        return factory;
    }

    private static async Task<string?> LimitMessageAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = TestBrowser.Parse(await response.Content.ReadAsStringAsync(), "/Account/Login");
        return page.QuerySelector(".ms-limit [role=alert]")?.TextContent.Trim();
    }

    [SkippableFact]
    public async Task An_invalid_reloaded_value_is_refused_with_an_error_naming_the_setting_and_the_last_good_options_stay_in_force()
    {
        using var factory = Create();
        factory.Reload(("MultiSession:MaximumSessions", "2"));
        Assert.Equal(2, factory.Current.MaximumSessions);

        factory.Reload(("MultiSession:MaximumSessions", "0"));
        Assert.Contains(factory.Log.Entries, e => e.Contains("[150]", StringComparison.Ordinal) && e.Contains("MultiSession:MaximumSessions must be at least 1", StringComparison.Ordinal));
        Assert.Equal(2, factory.Current.MaximumSessions);

        factory.Reload(("MultiSession:MaximumSessions", "five"));
        Assert.Contains(factory.Log.Entries, e => e.Contains("[150]", StringComparison.Ordinal) && e.Contains("MultiSession:MaximumSessions", StringComparison.Ordinal) && e.Contains("five", StringComparison.Ordinal));
        Assert.Equal(2, factory.Current.MaximumSessions);

        // Requests keep working, with and without a cookie, under the last good limit of 2.
        var browser = factory.CreateBrowser();
        using (var home = await browser.GetAsync("/"))
        {
            Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        }

        await browser.SignInOkAsync("alice", "bob");
        using var third = await browser.SignInAsync("carol");
        Assert.Equal("This browser already has 2 accounts signed in. Sign out of one to add another.", await LimitMessageAsync(third));
        using var list = await browser.GetAsync("/multi-session/list-device-sessions");
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
    }

    [SkippableFact]
    public async Task Reloaded_limit_lifetimes_and_intervals_apply_at_once_but_the_cookie_name_waits_for_a_restart()
    {
        using var factory = Create();
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice");
        var cookieName = factory.Current.CookieName;

        factory.Reload(
            ("MultiSession:MaximumSessions", "1"),
            ("MultiSession:SlidingExpiration", "01:00:00"),
            ("MultiSession:SecurityStampValidationInterval", "00:02:00"),
            ("MultiSession:CleanupInterval", "00:05:00"),
            ("MultiSession:CleanupBatchSize", "7"),
            ("MultiSession:CookieName", "Renamed.Device"));

        var options = factory.Current;
        Assert.Equal((1, TimeSpan.FromHours(1), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(5), 7), (options.MaximumSessions, options.SlidingExpiration, options.SecurityStampValidationInterval, options.CleanupInterval, options.CleanupBatchSize));
        Assert.Equal(cookieName, options.CookieName);
        Assert.Contains(factory.Log.Entries, e => e.Contains("[151]", StringComparison.Ordinal) && e.Contains("Renamed.Device", StringComparison.Ordinal));

        // The browser is still signed in (the cookie name did not change); the new limit of 1 holds.
        Assert.Single(await browser.ListAsync());
        using var second = await browser.SignInAsync("bob");
        Assert.Equal("This browser already has 1 account signed in. Sign out of one to add another.", await LimitMessageAsync(second));

        // A new sign-in expires after the reloaded sliding lifetime.
        var other = factory.CreateBrowser();
        await other.SignInOkAsync("carol");
        var expires = (await other.ListAsync())[0].GetProperty("expiresAt").GetDateTimeOffset();
        Assert.InRange(expires - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(55), TimeSpan.FromMinutes(61));
    }

    [SkippableFact]
    public async Task Lowering_the_limit_signs_nobody_out_even_when_evicting_and_the_limit_message_states_the_real_numbers()
    {
        using var factory = Create();
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob", "carol", "dave", "erin");

        factory.Reload(("MultiSession:MaximumSessions", "3"), ("MultiSession:OnLimitReached", "EvictLeastRecentlyUsed"));
        Assert.Equal(5, (await browser.ListAsync()).Count);

        // Above the new limit nobody is evicted to add an account: the sign-in is refused with the real numbers.
        using var refused = await browser.SignInAsync("frank");
        Assert.Equal("This browser already has 5 accounts signed in; the limit is now 3. Sign out of 3 to add another.", await LimitMessageAsync(refused));
        Assert.Equal(5, (await browser.ListAsync()).Count);

        // An account already here may re-authenticate above the limit; it takes no new slot.
        await browser.SignInOkAsync("alice");
        Assert.Equal(5, (await browser.ListAsync()).Count);

        // Back exactly at the limit, eviction makes room for one account: one session ends, not several.
        foreach (var email in new[] { "bob@example.com", "carol@example.com" })
        {
            var token = (await browser.SessionOfAsync(email)).GetProperty("sessionToken").GetString();
            using var revoked = await browser.PostJsonAsync("/multi-session/revoke", $"{{\"sessionToken\":\"{token}\"}}");
            Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        }

        await browser.SignInOkAsync("frank");
        var emails = (await browser.ListAsync()).Select(e => e.GetProperty("user").GetProperty("email").GetString()).ToList();
        Assert.Equal(3, emails.Count);
        Assert.Contains("frank@example.com", emails);
    }
}

public sealed class ConfigurationReloadTestsOnSqlite() : ConfigurationReloadTests("Sqlite");

public sealed class ConfigurationReloadTestsOnPostgreSql() : ConfigurationReloadTests("PostgreSQL");
