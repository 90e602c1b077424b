using System.Net;
using IdentityServer.MultiSession.Tests.Infrastructure;
using IdpHost.Data;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>
/// The administration pages: an administrator finds a user, sees the user's sessions on every device with their browsers, ends
/// one or all (each queues its logout notifications), and sees the settings in force with their sources; nobody else gets in.
/// </summary>
public abstract class AdministrationTests
{
    private readonly IdpFactory factory;

    protected AdministrationTests(IdpFactory factory)
    {
        this.factory = factory;
        factory.RequireDatabase();

        // The outbox rows stay for the tests to count: no sender delivers (and removes) them meanwhile.
        factory.Settings["MultiSession:BackChannelLogout:Enabled"] = "false";
    }

    private async Task<TestBrowser> AdminAsync()
    {
        var admin = DeviceBrowsers.Browser(factory, DeviceBrowsers.ChromeOnWindows);
        await admin.SignInOkAsync(DemoUsers.Administrator.UserName);
        return admin;
    }

    private static async Task<IHtmlDocument> UserPageAsync(TestBrowser admin, string email)
    {
        var search = await admin.GetPageAsync("/MultiSession/Admin?query=" + Uri.EscapeDataString(email));
        var link = Assert.Single(search.QuerySelectorAll<IHtmlAnchorElement>(".ms-users a"));
        Assert.Contains(email, link.TextContent, StringComparison.Ordinal);
        return await admin.GetPageAsync(link.GetAttribute("href")!);
    }

    [SkippableFact]
    public async Task An_administrator_finds_a_user_by_email_and_sees_the_sessions_of_three_devices_with_their_browsers()
    {
        var alice = await DeviceBrowsers.NewUserAsync(factory, "alice");
        var browsers = await DeviceBrowsers.SignedInOnThreeAsync(factory, alice);
        await DeviceBrowsers.GetTokensAsync(browsers[0]);
        var admin = await AdminAsync();

        var page = await UserPageAsync(admin, $"{alice}@example.com");
        var devices = page.QuerySelectorAll(".ms-device").Select(d => d.QuerySelector(".ms-device-name")!.TextContent.Trim()).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["Chrome on Windows", "Firefox on Linux", "Safari on iPhone"], devices);
        Assert.Contains(IdpFactory.ClientId, page.QuerySelector($".ms-device[data-session='{await DeviceBrowsers.ActiveSessionIdAsync(browsers[0])}']")!.TextContent, StringComparison.Ordinal);
        var cache = (await admin.GetAsync(page.Location.PathName + page.Location.Search)).Headers.CacheControl;
        Assert.True(cache is { NoCache: true, NoStore: true }, $"Cache-Control: {cache}");

        // By user name too; an unknown one is said so.
        var byName = await admin.GetPageAsync("/MultiSession/Admin?query=" + alice.ToUpperInvariant());
        Assert.Single(byName.QuerySelectorAll(".ms-users a"));
        var nobody = await admin.GetPageAsync("/MultiSession/Admin?query=nobody@example.com");
        Assert.Empty(nobody.QuerySelectorAll(".ms-users a"));
        Assert.NotNull(nobody.QuerySelector(".ms-note"));
    }

    [SkippableFact]
    public async Task An_administrator_ends_one_session_then_all_and_each_queues_logout_notifications()
    {
        var bob = await DeviceBrowsers.NewUserAsync(factory, "bob");
        var browsers = await DeviceBrowsers.SignedInOnThreeAsync(factory, bob);
        var sids = new List<string>();
        foreach (var browser in browsers)
        {
            await DeviceBrowsers.GetTokensAsync(browser);
            sids.Add(await DeviceBrowsers.ActiveSessionIdAsync(browser));
        }

        var admin = await AdminAsync();
        var page = await UserPageAsync(admin, $"{bob}@example.com");
        var one = page.QuerySelector<IHtmlFormElement>($".ms-device[data-session='{sids[1]}'] form")!;
        using (var response = await admin.SubmitAsync(one))
        {
            PickerPage.AssertRedirectTo(response, "/MultiSession/Admin/User?id=");
        }

        Assert.Empty(await browsers[1].ListAsync());
        Assert.NotEmpty(await browsers[0].ListAsync());
        Assert.Equal(1, await DeviceBrowsers.OutboxRowsAsync(factory, sids[1]));

        page = await admin.GetPageAsync(page.Location.PathName + page.Location.Search);
        Assert.Equal(2, page.QuerySelectorAll(".ms-device").Length);
        var all = page.QuerySelector<IHtmlFormElement>("form[action*='handler=RevokeAll']")!;
        using (var response = await admin.SubmitAsync(all))
        {
            PickerPage.AssertRedirectTo(response, "/MultiSession/Admin/User?id=");
        }

        Assert.Empty(await browsers[0].ListAsync());
        Assert.Empty(await browsers[2].ListAsync());
        Assert.Equal(new[] { 1, 1, 1 }, await DeviceBrowsers.OutboxRowsAsync(factory, sids));
        Assert.NotEmpty(await admin.ListAsync());
    }

    [SkippableFact]
    public async Task A_non_administrator_gets_403_on_every_administration_page_and_api_call_and_nothing_ends()
    {
        var victim = DeviceBrowsers.Browser(factory, DeviceBrowsers.FirefoxOnLinux);
        await victim.SignInOkAsync("carol");
        var sid = await DeviceBrowsers.ActiveSessionIdAsync(victim);
        var user = (await factory.WithDatabaseAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.SingleAsync(db.Users, u => u.UserName == "carol"))).Id;

        var other = DeviceBrowsers.Browser(factory, DeviceBrowsers.ChromeOnWindows);
        await other.SignInOkAsync("dave");
        var requests = new (HttpMethod Method, string Url)[]
        {
            (HttpMethod.Get, "/MultiSession/Admin"),
            (HttpMethod.Get, "/MultiSession/Admin?query=carol"),
            (HttpMethod.Get, $"/MultiSession/Admin/User?id={user}"),
            (HttpMethod.Post, $"/MultiSession/Admin/User?id={user}&handler=RevokeAll"),
            (HttpMethod.Post, $"/MultiSession/Admin/User?id={user}&handler=Revoke"),
            (HttpMethod.Get, "/multi-session/admin/api/users?query=carol"),
            (HttpMethod.Get, $"/multi-session/admin/api/users/{user}/sessions"),
            (HttpMethod.Delete, $"/multi-session/admin/api/users/{user}/sessions/{sid}"),
            (HttpMethod.Delete, $"/multi-session/admin/api/users/{user}/sessions"),
            (HttpMethod.Get, "/multi-session/admin/api/options"),
            (HttpMethod.Get, "/multi-session/admin/api/statistics"),
        };
        foreach (var (method, url) in requests)
        {
            using var request = new HttpRequestMessage(method, url);
            if (method == HttpMethod.Post)
            {
                request.Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["sessionId"] = sid });
            }

            using var response = await other.Client.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{method} {url} answered {(int)response.StatusCode}");
            if (url.StartsWith("/multi-session/", StringComparison.Ordinal))
            {
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }
        }

        Assert.Equal(sid, await DeviceBrowsers.ActiveSessionIdAsync(victim));
    }

    [SkippableFact]
    public async Task A_cross_site_call_riding_on_an_administrators_cookie_ends_nothing()
    {
        var victim = DeviceBrowsers.Browser(factory, DeviceBrowsers.FirefoxOnLinux);
        await victim.SignInOkAsync("carol");
        var sid = await DeviceBrowsers.ActiveSessionIdAsync(victim);
        var user = (await factory.WithDatabaseAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.SingleAsync(db.Users, u => u.UserName == "carol"))).Id;
        var admin = await AdminAsync();

        foreach (var url in new[] { $"/multi-session/admin/api/users/{user}/sessions/{sid}", $"/multi-session/admin/api/users/{user}/sessions" })
        {
            // With no Authorization header, and with one that carries no bearer token (a host with credentialed CORS lets
            // a cross-site page add one): the cookie does not make either a same-site call.
            foreach (var authorization in new[] { null, "Basic YWRtaW46eA==" })
            {
                using var forged = new HttpRequestMessage(HttpMethod.Delete, url);
                forged.Headers.Add("Origin", "https://attacker.example");
                forged.Headers.Add("Sec-Fetch-Site", "cross-site");
                if (authorization is not null)
                {
                    forged.Headers.TryAddWithoutValidation("Authorization", authorization);
                }

                using var response = await admin.Client.SendAsync(forged);
                Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }
        }

        Assert.Equal(sid, await DeviceBrowsers.ActiveSessionIdAsync(victim));

        // The same call from the IdP's own pages goes through.
        using var sameSite = new HttpRequestMessage(HttpMethod.Delete, $"/multi-session/admin/api/users/{user}/sessions/{sid}");
        sameSite.Headers.Add("Sec-Fetch-Site", "same-origin");
        using var ended = await admin.Client.SendAsync(sameSite);
        Assert.Equal(HttpStatusCode.NoContent, ended.StatusCode);
    }

    [SkippableFact]
    public async Task Without_an_account_the_pages_lead_to_the_login_and_the_api_answers_401()
    {
        var browser = factory.CreateBrowser();
        using (var page = await browser.GetAsync("/MultiSession/Admin"))
        {
            PickerPage.AssertRedirectTo(page, "/Account/Login");
        }

        using var api = await browser.GetAsync("/multi-session/admin/api/statistics");
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        Assert.Equal("application/problem+json", api.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Bearer", api.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task The_administration_page_shows_the_values_in_force_where_each_came_from_and_live_figures()
    {
        await DeviceBrowsers.SignedInOnThreeAsync(factory, "erin");
        var admin = await AdminAsync();
        var page = await admin.GetPageAsync("/MultiSession/Admin");
        string Row(string setting) => page.QuerySelector($"tr[data-setting='{setting}']")!.TextContent;

        Assert.Contains("5", Row("MaximumSessions"), StringComparison.Ordinal);
        Assert.Contains("appsettings.json", Row("OnLimitReached"), StringComparison.Ordinal);
        Assert.Contains("applies when the file is saved", Row("OnLimitReached"), StringComparison.Ordinal);
        Assert.Contains("Default", Row("CleanupBatchSize"), StringComparison.Ordinal);
        Assert.Contains("none", Row("AbsoluteExpiration"), StringComparison.Ordinal);
        Assert.Contains("off", Row("RecordIpAddress"), StringComparison.Ordinal);

        var figures = page.QuerySelector(".ms-figures")!.QuerySelectorAll("dd").Select(d => int.Parse(d.TextContent, System.Globalization.NumberStyles.AllowThousands, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.True(figures[0] >= 4, $"sessions stored: {figures[0]}");
        Assert.True(figures[1] >= 4, $"devices: {figures[1]}");
    }
}

public sealed class AdministrationTestsOnSqlite(SqliteIdpFactory factory) : AdministrationTests(factory), IClassFixture<SqliteIdpFactory>;

public sealed class AdministrationTestsOnPostgreSql(PostgreSqlIdpFactory factory) : AdministrationTests(factory), IClassFixture<PostgreSqlIdpFactory>;
