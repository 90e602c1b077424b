using System.Net;
using System.Text.Json;
using IdentityServer.MultiSession.Storage;
using IdentityServer.MultiSession.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>
/// "Your devices": the active account's sessions on every device (this one marked), sign out of one device or of all others, as a
/// page and as JSON; every sign-out ends the session like any revocation (its cookie reaches nothing, logout notifications are
/// queued), and nobody sees or ends another user's sessions.
/// </summary>
public abstract class YourDevicesTests
{
    private readonly IdpFactory factory;

    protected YourDevicesTests(IdpFactory factory)
    {
        this.factory = factory;
        factory.RequireDatabase();

        // The outbox rows stay for the tests to count: no sender delivers (and removes) them meanwhile.
        factory.Settings["MultiSession:BackChannelLogout:Enabled"] = "false";
    }

    private static async Task<JsonElement> DevicesAsync(TestBrowser browser)
    {
        using var response = await browser.GetAsync("/multi-session/devices");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await DeviceBrowsers.JsonAsync(response);
    }

    [SkippableFact]
    public async Task A_user_sees_their_sessions_on_every_device_with_their_browsers_and_this_one_marked()
    {
        var name = await DeviceBrowsers.NewUserAsync(factory, "alice");
        var alice = await DeviceBrowsers.SignedInOnThreeAsync(factory, name);
        var bobsBrowser = DeviceBrowsers.Browser(factory, DeviceBrowsers.ChromeOnWindows);
        await bobsBrowser.SignInOkAsync("bob");

        // On the laptop bob is signed in too, but alice is active: the list is hers.
        await alice[0].SignInOkAsync("bob", name);
        var devices = await DevicesAsync(alice[0]);
        Assert.Equal($"{name}@example.com", devices.GetProperty("user").GetProperty("email").GetString());
        var sessions = devices.GetProperty("sessions").EnumerateArray().ToList();
        Assert.Equal(
            ["Chrome on Windows", "Firefox on Linux", "Safari on iPhone"],
            sessions.Select(s => s.GetProperty("device").GetString()!).Order(StringComparer.Ordinal));
        var current = Assert.Single(sessions, s => s.GetProperty("current").GetBoolean());
        Assert.Equal(await DeviceBrowsers.ActiveSessionIdAsync(alice[0]), current.GetProperty("sessionId").GetString());

        var ids = sessions.Select(s => s.GetProperty("sessionId").GetString()!).ToList();
        var owners = await factory.WithDatabaseAsync(db => db.Set<DeviceSessionEntity>().Where(s => ids.Contains(s.Id)).Select(s => s.UserName).Distinct().ToListAsync());
        Assert.Equal([name], owners);

        var page = await alice[0].GetPageAsync("/MultiSession/Devices");
        Assert.Equal(3, page.QuerySelectorAll(".ms-device").Length);
        Assert.Contains("Chrome on Windows", Assert.Single(page.QuerySelectorAll(".ms-device-current")).TextContent, StringComparison.Ordinal);
        Assert.Equal(2, page.QuerySelectorAll("form[action*='handler=SignOut'] button").Length - page.QuerySelectorAll("form[action*='handler=SignOutOthers']").Length);
    }

    [SkippableFact]
    public async Task Signing_out_of_another_device_on_the_page_ends_that_session_there_and_queues_its_logout_notification()
    {
        var (laptop, phone) = (DeviceBrowsers.Browser(factory, DeviceBrowsers.ChromeOnWindows), DeviceBrowsers.Browser(factory, DeviceBrowsers.SafariOnIPhone));
        var carol = await DeviceBrowsers.NewUserAsync(factory, "carol");
        await laptop.SignInOkAsync(carol);
        await phone.SignInOkAsync(carol);
        await DeviceBrowsers.GetTokensAsync(phone);
        var phoneSid = await DeviceBrowsers.ActiveSessionIdAsync(phone);

        var page = await laptop.GetPageAsync("/MultiSession/Devices");
        var form = page.QuerySelectorAll<IHtmlFormElement>("form[action*='handler=SignOut']")
            .Single(f => f.QuerySelector<IHtmlInputElement>("input[name=sessionId]")?.Value == phoneSid);
        using var response = await laptop.SubmitAsync(form);
        PickerPage.AssertRedirectTo(response, "/MultiSession/Devices");

        Assert.Empty(await phone.ListAsync());
        using (var phonePage = await phone.GetAsync("/MultiSession/Devices"))
        {
            PickerPage.AssertRedirectTo(phonePage, "/Account/Login");
        }

        Assert.Equal(1, await DeviceBrowsers.OutboxRowsAsync(factory, phoneSid));
        var left = (await DevicesAsync(laptop)).GetProperty("sessions").EnumerateArray().ToList();
        Assert.True(Assert.Single(left).GetProperty("current").GetBoolean());
        Assert.Contains("Safari on iPhone", (await laptop.GetPageAsync("/MultiSession/Devices")).QuerySelector(".ms-status")!.TextContent, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Signing_out_of_all_other_devices_through_the_api_keeps_this_one_and_queues_a_notification_for_each()
    {
        var browsers = await DeviceBrowsers.SignedInOnThreeAsync(factory, await DeviceBrowsers.NewUserAsync(factory, "dave"));
        var sids = new List<string>();
        foreach (var browser in browsers)
        {
            await DeviceBrowsers.GetTokensAsync(browser);
            sids.Add(await DeviceBrowsers.ActiveSessionIdAsync(browser));
        }

        using var response = await browsers[1].PostJsonAsync("/multi-session/devices/sign-out-others", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, (await DeviceBrowsers.JsonAsync(response)).GetProperty("revoked").GetInt32());

        Assert.Empty(await browsers[0].ListAsync());
        Assert.Empty(await browsers[2].ListAsync());
        Assert.Equal(sids[1], await DeviceBrowsers.ActiveSessionIdAsync(browsers[1]));
        Assert.Equal(new[] { 1, 0, 1 }, await DeviceBrowsers.OutboxRowsAsync(factory, sids));
    }

    [SkippableFact]
    public async Task A_user_can_neither_see_nor_end_another_users_session()
    {
        var mine = DeviceBrowsers.Browser(factory, DeviceBrowsers.ChromeOnWindows);
        var theirs = DeviceBrowsers.Browser(factory, DeviceBrowsers.FirefoxOnLinux);
        await mine.SignInOkAsync("erin");
        await theirs.SignInOkAsync("frank");
        var franksSid = await DeviceBrowsers.ActiveSessionIdAsync(theirs);

        var listed = (await DevicesAsync(mine)).GetProperty("sessions").EnumerateArray().Select(s => s.GetProperty("sessionId").GetString()).ToList();
        Assert.DoesNotContain(franksSid, listed);

        using (var api = await mine.PostJsonAsync("/multi-session/devices/sign-out", JsonSerializer.Serialize(new { sessionId = franksSid })))
        {
            Assert.Equal(HttpStatusCode.NotFound, api.StatusCode);
            Assert.Equal("application/problem+json", api.Content.Headers.ContentType?.MediaType);
        }

        // The page's form, with frank's sid put in by hand, ends nothing either.
        var page = await mine.GetPageAsync("/MultiSession/Devices");
        var others = page.QuerySelector<IHtmlFormElement>("form[action*='handler=SignOutOthers']");
        Assert.Null(others);
        var token = page.QuerySelector<IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value;
        using (var forged = await mine.Client.PostAsync("/MultiSession/Devices?handler=SignOut", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["account"] = (await DevicesAsync(mine)).GetProperty("user").GetProperty("id").GetString()!,
            ["sessionId"] = franksSid,
        })))
        {
            Assert.Equal(HttpStatusCode.NotFound, forged.StatusCode);
        }

        Assert.Equal(franksSid, await DeviceBrowsers.ActiveSessionIdAsync(theirs));
        Assert.Equal(0, await DeviceBrowsers.OutboxRowsAsync(factory, franksSid));
    }

    [SkippableFact]
    public async Task A_form_rendered_for_another_account_than_the_active_one_ends_nothing()
    {
        var laptop = DeviceBrowsers.Browser(factory, DeviceBrowsers.ChromeOnWindows);
        var phone = DeviceBrowsers.Browser(factory, DeviceBrowsers.SafariOnIPhone);
        await phone.SignInOkAsync("alice");
        await laptop.SignInOkAsync("alice");
        var phoneSid = await DeviceBrowsers.ActiveSessionIdAsync(phone);
        var page = await laptop.GetPageAsync("/MultiSession/Devices");
        var form = page.QuerySelectorAll<IHtmlFormElement>("form[action*='handler=SignOut']")
            .First(f => f.QuerySelector<IHtmlInputElement>("input[name=sessionId]")?.Value == phoneSid);

        // Another tab signs bob in: he is active now, and alice's form must not act for him (nor for her).
        await laptop.SignInOkAsync("bob");
        using var response = await laptop.SubmitAsync(form);
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal(phoneSid, await DeviceBrowsers.ActiveSessionIdAsync(phone));
    }

    [SkippableFact]
    public async Task Without_an_account_the_api_answers_401_and_the_page_leads_to_the_login()
    {
        var browser = factory.CreateBrowser();
        using (var api = await browser.GetAsync("/multi-session/devices"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
            Assert.Equal("application/problem+json", api.Content.Headers.ContentType?.MediaType);
        }

        using var page = await browser.GetAsync("/MultiSession/Devices");
        PickerPage.AssertRedirectTo(page, "/Account/Login?ReturnUrl=%2FMultiSession%2FDevices");
    }

    [SkippableFact]
    public async Task A_cross_site_sign_out_of_other_devices_is_refused()
    {
        var browsers = await DeviceBrowsers.SignedInOnThreeAsync(factory, "bob");
        using var response = await browsers[0].PostJsonAsync("/multi-session/devices/sign-out-others", null, configure: r => r.Headers.Add("Origin", "https://evil.example"));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.NotEmpty(await browsers[2].ListAsync());
    }

    [SkippableFact]
    public async Task A_bad_body_gets_a_problem_and_ends_nothing()
    {
        var browsers = await DeviceBrowsers.SignedInOnThreeAsync(factory, "carol");
        using var response = await browsers[0].PostJsonAsync("/multi-session/devices/sign-out", "{\"sessionToken\":\"x\"}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.NotEmpty(await browsers[1].ListAsync());
    }

    [SkippableFact]
    public async Task A_session_records_no_network_address_unless_the_setting_turns_it_on()
    {
        var browser = DeviceBrowsers.Browser(factory, DeviceBrowsers.ChromeOnWindows);
        await browser.SignInOkAsync("frank");
        var sid = await DeviceBrowsers.ActiveSessionIdAsync(browser);
        Assert.Null(await factory.WithDatabaseAsync(db => db.Set<DeviceSessionEntity>().Where(s => s.Id == sid).Select(s => s.IpAddress).SingleAsync()));
        Assert.False((await DevicesAsync(browser)).GetProperty("sessions")[0].TryGetProperty("ipAddress", out var ip) && ip.ValueKind != JsonValueKind.Null);
    }
}

public sealed class YourDevicesTestsOnSqlite(SqliteIdpFactory factory) : YourDevicesTests(factory), IClassFixture<SqliteIdpFactory>;

public sealed class YourDevicesTestsOnPostgreSql(PostgreSqlIdpFactory factory) : YourDevicesTests(factory), IClassFixture<PostgreSqlIdpFactory>;

/// <summary>With <c>MultiSession:RecordIpAddress</c> on, a session records the address it signed in from, truncated.</summary>
public sealed class RecordedNetworkAddressTests
{
    private sealed class FixedAddressIdpFactory : IdpFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services => services.AddTransient<Microsoft.AspNetCore.Hosting.IStartupFilter, FixedAddress>());
        }
    }

    private sealed class FixedAddress : Microsoft.AspNetCore.Hosting.IStartupFilter
    {
        public Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> Configure(Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> next) => app =>
        {
            app.Use((Microsoft.AspNetCore.Http.HttpContext context, Microsoft.AspNetCore.Http.RequestDelegate following) =>
            {
                context.Connection.RemoteIpAddress = IPAddress.Parse("203.0.113.77");
                return following(context);
            });
            next(app);
        };
    }

    [Fact]
    public async Task With_the_setting_on_a_session_records_its_address_cut_to_the_network()
    {
        using var factory = new FixedAddressIdpFactory();
        factory.Settings["MultiSession:RecordIpAddress"] = "true";
        var browser = DeviceBrowsers.Browser(factory, DeviceBrowsers.FirefoxOnLinux);
        await browser.SignInOkAsync("alice");
        using var response = await browser.GetAsync("/multi-session/devices");
        var session = (await DeviceBrowsers.JsonAsync(response)).GetProperty("sessions")[0];
        Assert.Equal("203.0.113.0/24", session.GetProperty("ipAddress").GetString());
        Assert.Contains("203.0.113.0/24", (await browser.GetPageAsync("/MultiSession/Devices")).QuerySelector(".ms-facts")!.TextContent, StringComparison.Ordinal);
    }
}
