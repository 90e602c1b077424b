using System.Net;
using System.Text.Json;
using IdentityServer.MultiSession.Tests.Infrastructure;
using IdpHost.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>The maximum of accounts per browser and same-user replacement (BEHAVIOUR.md §3.2, §3.3).</summary>
public abstract class SessionLimitTests
{
    private readonly IdpFactory factory;

    protected SessionLimitTests(IdpFactory factory)
    {
        this.factory = factory;
        factory.RequireDatabase();
    }

    private const string LimitMessage = "This browser already has 5 accounts signed in. Sign out of one to add another.";

    [SkippableFact]
    public async Task The_sixth_sign_in_is_refused_with_the_limit_message_and_a_sign_out_button_for_each_account()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob", "carol", "dave", "erin");

        using var response = await browser.SignInAsync("frank");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = TestBrowser.Parse(await response.Content.ReadAsStringAsync(), "/Account/Login");
        Assert.Equal(LimitMessage, page.QuerySelector(".ms-limit [role=alert]")!.TextContent.Trim());
        var signOutButtons = page.QuerySelectorAll<IHtmlFormElement>(".ms-limit form").ToList();
        Assert.Equal(5, signOutButtons.Count);
        Assert.Equal(5, (await browser.ListAsync()).Count);
        Assert.DoesNotContain(await browser.ListAsync(), e => e.GetProperty("user").GetProperty("email").GetString() == "frank@example.com");
    }

    [SkippableFact]
    public async Task Signing_out_of_one_account_from_the_limit_message_lets_the_next_sign_in_through()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob", "carol", "dave", "erin");
        using var refused = await browser.SignInAsync("frank", "/Account/Profile");
        var page = TestBrowser.Parse(await refused.Content.ReadAsStringAsync(), "/Account/Login");
        var bobForm = page.QuerySelectorAll<IHtmlFormElement>(".ms-limit form")
            .Single(f => f.QuerySelector("button")!.GetAttribute("aria-label")!.Contains("bob@example.com", StringComparison.Ordinal));

        using var signedOut = await browser.SubmitAsync(bobForm);
        PickerPage.AssertRedirectTo(signedOut, "/Account/Login?ReturnUrl=%2FAccount%2FProfile");
        Assert.Equal(4, (await browser.ListAsync()).Count);

        using var again = await browser.SignInAsync("frank", "/Account/Profile");
        PickerPage.AssertRedirectTo(again, "/Account/Profile");
        Assert.Equal(5, (await browser.ListAsync()).Count);
    }

    [SkippableFact]
    public async Task The_same_user_signing_in_again_renews_the_earlier_session_in_place_with_the_same_sid_and_takes_no_slot()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob", "carol", "dave", "erin");
        var before = (await browser.SessionOfAsync("bob@example.com")).GetProperty("sessionId").GetString();

        await browser.SignInOkAsync("bob");
        var sessions = await browser.ListAsync();
        Assert.Equal(5, sessions.Count);
        var bob = sessions.Single(e => e.GetProperty("user").GetProperty("email").GetString() == "bob@example.com");
        Assert.Equal(before, bob.GetProperty("sessionId").GetString());
        Assert.True(bob.GetProperty("active").GetBoolean());
    }

    [SkippableFact]
    public async Task Concurrent_sign_ins_on_one_device_never_exceed_the_limit_leave_no_orphan_device_and_refuse_every_loser_clearly()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice");
        var devicesBefore = (await factory.CountRowsAsync()).Devices;

        // Five other users at once from one browser (one device secret) that has room for four more.
        var forms = new List<(string User, IHtmlFormElement Form)>();
        foreach (var user in new[] { "bob", "carol", "dave", "erin", "frank" })
        {
            var page = await browser.GetPageAsync("/Account/Login");
            forms.Add((user, page.QuerySelectorAll<IHtmlFormElement>("form:not(.ms-language)").Single()));
        }

        var responses = await Task.WhenAll(forms.Select(f => browser.SubmitAsync(f.Form, new Dictionary<string, string>
        {
            ["Input.UserName"] = f.User,
            ["Input.Password"] = DemoUsers.Password,
        })));
        await AssertRaceRulesAsync(browser, responses, devicesBefore);
    }

    [SkippableFact]
    public async Task Twenty_sign_ins_started_at_once_on_one_device_end_with_at_most_five_sessions_one_per_user_and_no_orphan_rows()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice");
        var devicesBefore = (await factory.CountRowsAsync()).Devices;
        var users = new[] { "alice", "bob", "carol", "dave", "erin", "frank" };
        var pages = new List<(string User, IHtmlFormElement Form)>();
        for (var i = 0; i < 20; i++)
        {
            var page = await browser.GetPageAsync("/Account/Login");
            pages.Add((users[i % users.Length], page.QuerySelectorAll<IHtmlFormElement>("form:not(.ms-language)").Single()));
        }

        var responses = await Task.WhenAll(pages.Select(p => browser.SubmitAsync(p.Form, new Dictionary<string, string>
        {
            ["Input.UserName"] = p.User,
            ["Input.Password"] = DemoUsers.Password,
        })));
        await AssertRaceRulesAsync(browser, responses, devicesBefore);
    }

    [SkippableFact]
    public async Task The_same_user_signing_in_four_times_at_once_ends_with_one_session_and_every_loser_refused_clearly()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice");
        var devicesBefore = (await factory.CountRowsAsync()).Devices;
        var pages = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => browser.GetPageAsync("/Account/Login")));
        var responses = await Task.WhenAll(pages.Select(p => browser.SubmitAsync(p.QuerySelectorAll<IHtmlFormElement>("form:not(.ms-language)").Single(), new Dictionary<string, string>
        {
            ["Input.UserName"] = "bob",
            ["Input.Password"] = DemoUsers.Password,
        })));
        await AssertRaceRulesAsync(browser, responses, devicesBefore);
        var sessions = await browser.ListAsync();
        Assert.Equal(2, sessions.Count);
        Assert.Single(sessions, e => e.GetProperty("user").GetProperty("email").GetString() == "bob@example.com");
    }

    /// <summary>
    /// The rules for sign-ins racing from one browser: each one either succeeded (302) or was refused with a clear message (the
    /// limit, or "another sign-in just finished"); the device holds at most the limit, one session per user, and no device row
    /// was created by a loser.
    /// </summary>
    private async Task AssertRaceRulesAsync(TestBrowser browser, HttpResponseMessage[] responses, int devicesBefore)
    {
        foreach (var response in responses)
        {
            if (response.StatusCode == HttpStatusCode.Redirect)
            {
                continue;
            }

            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {factory.Log}");
            var page = TestBrowser.Parse(await response.Content.ReadAsStringAsync(), "/Account/Login");
            var message = page.QuerySelector(".ms-limit [role=alert]")?.TextContent.Trim() ?? page.QuerySelector(".ms-error")?.TextContent.Trim();
            Assert.True(
                message is LimitMessage or MultiSessionSignInSupersededException.DefaultMessage,
                $"A refused sign-in must say why; it said '{message}'.");
        }

        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.Redirect);
        var sessions = await browser.ListAsync();
        Assert.InRange(sessions.Count, 1, 5);
        Assert.Equal(sessions.Count, sessions.Select(s => s.GetProperty("user").GetProperty("id").GetString()).Distinct().Count());
        var sessionId = sessions[0].GetProperty("sessionId").GetString();
        var rows = await factory.WithDatabaseAsync(db => db.Set<IdentityServer.MultiSession.Storage.DeviceSessionEntity>()
            .Where(s => s.Device!.Sessions.Any(o => o.Id == sessionId))
            .CountAsync());
        Assert.Equal(sessions.Count, rows);
        Assert.Equal(devicesBefore, (await factory.CountRowsAsync()).Devices);
    }

    [SkippableFact]
    public async Task With_evict_least_recently_used_the_least_recently_used_account_makes_room()
    {
        using var evicting = new IdpFactory { Provider = factory.Provider };
        evicting.Settings["MultiSession:OnLimitReached"] = "EvictLeastRecentlyUsed";
        evicting.Settings["MultiSession:MaximumSessions"] = "2";
        var browser = evicting.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob", "carol");
        var emails = (await browser.ListAsync()).Select(e => e.GetProperty("user").GetProperty("email").GetString()).ToList();
        Assert.Equal(["carol@example.com", "bob@example.com"], emails);
    }

    [SkippableFact]
    public async Task A_json_sign_in_beyond_the_limit_answers_409_problem_details()
    {
        using var host = new JsonSignInFactory { Provider = factory.Provider };
        host.Settings["MultiSession:MaximumSessions"] = "1";
        var browser = host.CreateBrowser();
        using var first = await browser.PostJsonAsync("/test/json-sign-in", "\"alice\"");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        using var second = await browser.PostJsonAsync("/test/json-sign-in", "\"bob\"", configure: r => r.Headers.Accept.ParseAdd("application/json"));
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Equal("application/problem+json", second.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await second.Content.ReadAsStringAsync());
        Assert.Equal(409, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Equal("This browser already has 1 account signed in. Sign out of one to add another.", problem.RootElement.GetProperty("detail").GetString());
        Assert.Single(await browser.ListAsync());
    }

    /// <summary>The real host plus a JSON sign-in endpoint of the kind a host may add, to prove the library's 409 mapping.</summary>
    private sealed class JsonSignInFactory : IdpFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services => services.AddSingleton<Microsoft.AspNetCore.Hosting.IStartupFilter>(new JsonSignInStartup()));
        }
    }

    private sealed class JsonSignInStartup : Microsoft.AspNetCore.Hosting.IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);
            app.UseRouting();
            app.UseEndpoints(endpoints => endpoints.MapPost("/test/json-sign-in", async (HttpContext context, SignInManager<ApplicationUser> signIn, UserManager<ApplicationUser> users) =>
            {
                var name = await context.Request.ReadFromJsonAsync<string>();
                var user = await users.FindByNameAsync(name!);
                await signIn.SignInAsync(user!, isPersistent: true);
                return Results.Ok();
            }));
        };
    }
}

/// <summary>SessionLimitTests on SQLite.</summary>
public sealed class SessionLimitTestsOnSqlite(SqliteIdpFactory factory) : SessionLimitTests(factory), IClassFixture<SqliteIdpFactory>;

/// <summary>SessionLimitTests on PostgreSQL.</summary>
public sealed class SessionLimitTestsOnPostgreSql(PostgreSqlIdpFactory factory) : SessionLimitTests(factory), IClassFixture<PostgreSqlIdpFactory>;
