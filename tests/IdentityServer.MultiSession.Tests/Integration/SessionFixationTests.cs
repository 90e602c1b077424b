using System.Net;
using System.Text.Json;
using IdentityServer.MultiSession.Tests.Infrastructure;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>
/// Session fixation: every sign-in gives the browser a new device secret; a copy of the cookie taken before reaches nothing
/// signed in after it, and a sign-in racing with another one of the same browser is refused with "try again".
/// </summary>
public abstract class SessionFixationTests
{
    private readonly IdpFactory factory;

    protected SessionFixationTests(IdpFactory factory)
    {
        this.factory = factory;
        factory.RequireDatabase();
    }

    [SkippableFact]
    public async Task A_copy_of_the_device_cookie_taken_before_a_sign_in_reaches_nothing_signed_in_after_it()
    {
        var victim = factory.CreateBrowser();
        await victim.SignInOkAsync("alice");
        var copied = victim.DeviceCookie!;

        await victim.SignInOkAsync("bob");
        Assert.NotEqual(copied, victim.DeviceCookie);

        var attacker = factory.CreateBrowser();
        attacker.Cookies.Add(new Uri("http://localhost/"), new Cookie(MultiSessionDefaults.DevelopmentDeviceCookieName, copied));
        Assert.Empty(await attacker.ListAsync());
        var bobToken = (await victim.SessionOfAsync("bob@example.com")).GetProperty("sessionToken").GetString();
        using (var setActive = await attacker.PostJsonAsync("/multi-session/set-active", JsonSerializer.Serialize(new { sessionToken = bobToken })))
        {
            Assert.Equal(HttpStatusCode.NotFound, setActive.StatusCode);
        }

        using var authorize = await attacker.GetAsync(new OidcClient(attacker).AuthorizeUrl());
        PickerPage.AssertRedirectTo(authorize, "/Account/Login");
        Assert.Equal(2, (await victim.ListAsync()).Count);
    }

    [SkippableFact]
    public async Task A_sign_in_carrying_a_secret_another_sign_in_just_replaced_is_refused_with_try_again_and_creates_nothing()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice");
        var superseded = browser.DeviceCookie!;
        var page = await browser.GetPageAsync("/Account/Login");
        await browser.SignInOkAsync("bob");
        var current = browser.DeviceCookie!;
        var rows = await factory.CountRowsAsync();

        // The form rendered before the other sign-in finished posts with the secret it replaced.
        browser.Cookies.Add(new Uri("http://localhost/"), new Cookie(MultiSessionDefaults.DevelopmentDeviceCookieName, superseded));
        using var response = await browser.SubmitAsync(page.QuerySelectorAll<IHtmlFormElement>("form:not(.ms-language)").Single(), new Dictionary<string, string>
        {
            ["Input.UserName"] = "carol",
            ["Input.Password"] = IdpHost.Data.DemoUsers.Password,
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = TestBrowser.Parse(await response.Content.ReadAsStringAsync(), "/Account/Login");
        Assert.Equal(MultiSessionSignInSupersededException.DefaultMessage, html.QuerySelector(".ms-error")!.TextContent.Trim());
        Assert.False(response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith(MultiSessionDefaults.DevelopmentDeviceCookieName + "=", StringComparison.Ordinal)));
        Assert.Equal(rows, await factory.CountRowsAsync());

        browser.Cookies.Add(new Uri("http://localhost/"), new Cookie(MultiSessionDefaults.DevelopmentDeviceCookieName, current));
        Assert.Equal(["bob@example.com", "alice@example.com"], (await browser.ListAsync()).Select(e => e.GetProperty("user").GetProperty("email").GetString()));
    }

    [SkippableFact]
    public async Task A_json_sign_in_carrying_a_superseded_secret_answers_409_problem_details_and_creates_nothing()
    {
        using var host = new EndpointsIdpFactory { Provider = factory.Provider };
        var browser = host.CreateBrowser();
        using (var first = await browser.PostJsonAsync("/test/json-sign-in", "\"alice\""))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        var superseded = browser.DeviceCookie!;
        using (var second = await browser.PostJsonAsync("/test/json-sign-in", "\"bob\""))
        {
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        }

        var rows = await host.CountRowsAsync();
        browser.Cookies.Add(new Uri("http://localhost/"), new Cookie(MultiSessionDefaults.DevelopmentDeviceCookieName, superseded));
        using var raced = await browser.PostJsonAsync("/test/json-sign-in", "\"carol\"", configure: r => r.Headers.Accept.ParseAdd("application/json"));
        Assert.Equal(HttpStatusCode.Conflict, raced.StatusCode);
        Assert.Equal("application/problem+json", raced.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await raced.Content.ReadAsStringAsync());
        Assert.Equal(409, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Equal(MultiSessionSignInSupersededException.DefaultMessage, problem.RootElement.GetProperty("detail").GetString());
        Assert.Equal(rows, await host.CountRowsAsync());
    }

    [SkippableFact]
    public async Task A_request_carrying_a_superseded_secret_never_sets_the_device_cookie()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice");
        var superseded = browser.DeviceCookie!;
        await browser.SignInOkAsync("bob");

        var late = factory.CreateBrowser();
        late.Cookies.Add(new Uri("http://localhost/"), new Cookie(MultiSessionDefaults.DevelopmentDeviceCookieName, superseded));
        foreach (var url in new[] { "/", "/Account/Profile", "/multi-session/list-device-sessions", MultiSessionDefaults.PickerPath })
        {
            using var response = await late.GetAsync(url);
            Assert.False(
                response.Headers.TryGetValues("Set-Cookie", out var cookies)
                && cookies.Any(c => c.StartsWith(MultiSessionDefaults.DevelopmentDeviceCookieName + "=" + superseded, StringComparison.Ordinal)),
                $"GET {url} set the superseded secret back.");
        }
    }
}

/// <summary>SessionFixationTests on SQLite.</summary>
public sealed class SessionFixationTestsOnSqlite(SqliteIdpFactory factory) : SessionFixationTests(factory), IClassFixture<SqliteIdpFactory>;

/// <summary>SessionFixationTests on PostgreSQL.</summary>
public sealed class SessionFixationTestsOnPostgreSql(PostgreSqlIdpFactory factory) : SessionFixationTests(factory), IClassFixture<PostgreSqlIdpFactory>;
