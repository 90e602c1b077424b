using System.Net;
using System.Text.Json;
using IdentityServer.MultiSession.Tests.Infrastructure;
using IdpHost.Data;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>
/// With the database unreachable or failing mid-request, every page and API endpoint answers 503 (problem details for the
/// API, a readable page for the UI), nothing is half-written, and the next request after recovery works.
/// </summary>
public sealed class DatabaseFaultTests : IDisposable
{
    private readonly IdpFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    private static async Task AssertUnavailablePageAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)response.StatusCode}: {body[..Math.Min(body.Length, 300)]}");
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Temporarily unavailable", body, StringComparison.Ordinal);
        Assert.Equal("5", response.Headers.RetryAfter?.Delta?.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static async Task AssertUnavailableProblemAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)response.StatusCode}: {body[..Math.Min(body.Length, 300)]}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(body);
        Assert.Equal(503, problem.RootElement.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task While_the_database_is_down_every_page_and_endpoint_answers_503_and_afterwards_everything_works()
    {
        var browser = _factory.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        var token = (await browser.SessionOfAsync("alice@example.com")).GetProperty("sessionToken").GetString();
        var loginForm = (await browser.GetPageAsync("/Account/Login")).QuerySelectorAll<IHtmlFormElement>("form:not(.ms-language)").Single();
        var picker = await PickerPage.OpenAsync(browser);
        var client = new OidcClient(browser);
        var before = await _factory.CountRowsAsync();
        var logged = _factory.Log.Entries.Count(e => e.Contains("Database unavailable", StringComparison.Ordinal));

        _factory.Faults.Down = true;
        foreach (var page in new[] { "/", "/Account/Login", "/Account/Profile", "/MultiSession/Accounts", client.AuthorizeUrl() })
        {
            await AssertUnavailablePageAsync(await browser.GetAsync(page));
        }

        await AssertUnavailablePageAsync(await browser.SubmitAsync(loginForm, new Dictionary<string, string> { ["Input.UserName"] = "carol", ["Input.Password"] = DemoUsers.Password }));
        await AssertUnavailablePageAsync(await picker.UseAsync("alice@example.com"));
        await AssertUnavailablePageAsync(await picker.SignOutAsync("bob@example.com"));
        await AssertUnavailableProblemAsync(await browser.GetAsync("/multi-session/list-device-sessions"));
        await AssertUnavailableProblemAsync(await browser.PostJsonAsync("/multi-session/set-active", JsonSerializer.Serialize(new { sessionToken = token })));
        await AssertUnavailableProblemAsync(await browser.PostJsonAsync("/multi-session/revoke", JsonSerializer.Serialize(new { sessionToken = token })));
        await AssertUnavailableProblemAsync(await browser.PostJsonAsync("/multi-session/sign-out", null));
        using (var token503 = await browser.Client.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = "x",
            ["client_id"] = IdpFactory.ClientId,
        })))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, token503.StatusCode);
        }

        using (var health = await browser.GetAsync("/healthz"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
            Assert.Equal("Unhealthy", await health.Content.ReadAsStringAsync());
        }

        // Each failed request was logged once, by the library, and no log line holds the device secret.
        var failures = _factory.Log.Entries.Count(e => e.Contains("Database unavailable", StringComparison.Ordinal)) - logged;
        Assert.Equal(13, failures); // 5 pages, 3 forms, 4 API calls and the token endpoint: one line each
        Assert.DoesNotContain(_factory.Log.Entries, e => e.Contains(browser.DeviceCookie!, StringComparison.Ordinal));

        _factory.Faults.Down = false;
        Assert.Equal(before, await _factory.CountRowsAsync());
        Assert.Equal(["bob@example.com", "alice@example.com"], (await browser.ListAsync()).Select(e => e.GetProperty("user").GetProperty("email").GetString()!).ToArray());
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/Account/Profile")).StatusCode);
        var code = client.Code(await client.AuthorizeAsync());
        Assert.Equal(HttpStatusCode.OK, (await client.ExchangeAsync(code)).Status);
    }

    [Fact]
    public async Task A_sign_in_that_fails_mid_request_writes_nothing_and_sets_no_cookie()
    {
        var browser = _factory.CreateBrowser();
        var form = (await browser.GetPageAsync("/Account/Login")).QuerySelectorAll<IHtmlFormElement>("form:not(.ms-language)").Single();
        var before = await _factory.CountRowsAsync();

        // The device row is written first; the session insert fails: the transaction must roll both back.
        _factory.Faults.FailOn = "INSERT INTO \"MultiSessionDeviceSessions\"";
        using var response = await browser.SubmitAsync(form, new Dictionary<string, string> { ["Input.UserName"] = "alice", ["Input.Password"] = DemoUsers.Password });
        await AssertUnavailablePageAsync(response);
        Assert.Equal(1, _factory.Faults.Injected);
        Assert.False(response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith(MultiSessionDefaults.DevelopmentDeviceCookieName, StringComparison.Ordinal)));
        _factory.Faults.FailOn = null;

        Assert.Equal(before, await _factory.CountRowsAsync());
        Assert.Empty(await browser.ListAsync());
        await browser.SignInOkAsync("alice");
        Assert.Single(await browser.ListAsync());
    }

    [Fact]
    public async Task A_revocation_that_fails_mid_request_leaves_the_device_as_it_was()
    {
        var browser = _factory.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        var bob = await browser.SessionOfAsync("bob@example.com");
        var before = await browser.ListAsync();

        // bob (active) is deleted, then making alice active fails: the delete must be rolled back.
        Assert.True(bob.GetProperty("active").GetBoolean());
        _factory.Faults.FailOn = "UPDATE \"MultiSessionDevices\"";
        await AssertUnavailableProblemAsync(await browser.PostJsonAsync("/multi-session/revoke", JsonSerializer.Serialize(new { sessionToken = bob.GetProperty("sessionToken").GetString() })));
        _factory.Faults.FailOn = null;
        Assert.Equal(1, _factory.Faults.Injected);

        var after = await browser.ListAsync();
        Assert.Equal(before.Select(e => e.GetProperty("sessionId").GetString()), after.Select(e => e.GetProperty("sessionId").GetString()));
        Assert.True(after[0].GetProperty("active").GetBoolean());
    }
}
