using System.Net;
using System.Text.Json;
using IdentityServer.MultiSession.Tests.Infrastructure;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>Every endpoint and error of the JSON API (BEHAVIOUR.md §6).</summary>
public sealed class MultiSessionApiTests(IdpFactory factory) : IClassFixture<IdpFactory>
{
    private static string Body(string? token) => JsonSerializer.Serialize(new { sessionToken = token });

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(text);
        Assert.Equal((int)status, document.RootElement.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(document.RootElement.GetProperty("title").GetString()));
        return document.RootElement.Clone();
    }

    [Theory]
    [InlineData("GET", "/multi-session/no-such-endpoint", HttpStatusCode.NotFound, null)]
    [InlineData("POST", "/multi-session/", HttpStatusCode.NotFound, null)]
    [InlineData("GET", "/multi-session/set-active", HttpStatusCode.MethodNotAllowed, "POST")]
    [InlineData("DELETE", "/multi-session/revoke", HttpStatusCode.MethodNotAllowed, "POST")]
    [InlineData("POST", "/multi-session/list-device-sessions", HttpStatusCode.MethodNotAllowed, "GET")]
    public async Task Unknown_paths_and_wrong_methods_under_the_api_answer_problem_details(string method, string path, HttpStatusCode status, string? allow)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        using var response = await factory.CreateBrowser().Client.SendAsync(request);
        await ProblemAsync(response, status);
        Assert.Equal(allow, allow is null ? null : string.Join(",", response.Content.Headers.Allow));
    }

    [Fact]
    public async Task Listing_with_nothing_signed_in_answers_an_empty_array()
    {
        using var response = await factory.CreateBrowser().GetAsync("/multi-session/list-device-sessions");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("[]", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Listing_answers_every_account_with_the_spec_shape_most_recently_used_first()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        using var response = await browser.GetAsync("/multi-session/list-device-sessions");
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text);
        var entries = document.RootElement.EnumerateArray().ToList();
        Assert.Equal(2, entries.Count);
        Assert.Equal("bob@example.com", entries[0].GetProperty("user").GetProperty("email").GetString());
        Assert.True(entries[0].GetProperty("active").GetBoolean());
        Assert.False(entries[1].GetProperty("active").GetBoolean());
        foreach (var entry in entries)
        {
            Assert.Equal(
                ["sessionToken", "sessionId", "active", "user", "createdAt", "lastSeenAt", "expiresAt"],
                entry.EnumerateObject().Select(p => p.Name).ToArray());
            Assert.Equal(["id", "name", "email"], entry.GetProperty("user").EnumerateObject().Select(p => p.Name).ToArray());
            Assert.True(entry.GetProperty("expiresAt").GetDateTimeOffset() > entry.GetProperty("lastSeenAt").GetDateTimeOffset());
        }

        Assert.Equal("Bob Brown", entries[0].GetProperty("user").GetProperty("name").GetString());

        // No response ever contains the device secret.
        Assert.DoesNotContain(browser.DeviceCookie!, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Set_active_makes_the_named_account_active_and_answers_its_entry()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        var alice = await browser.SessionOfAsync("alice@example.com");
        using var response = await browser.PostJsonAsync("/multi-session/set-active", Body(alice.GetProperty("sessionToken").GetString()));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(document.RootElement.GetProperty("active").GetBoolean());
        Assert.Equal(alice.GetProperty("sessionId").GetString(), document.RootElement.GetProperty("sessionId").GetString());
        Assert.True((await browser.SessionOfAsync("alice@example.com")).GetProperty("active").GetBoolean());
        Assert.False((await browser.SessionOfAsync("bob@example.com")).GetProperty("active").GetBoolean());

        // The IdP's pages now see alice.
        var home = await browser.GetPageAsync("/");
        Assert.Equal("Alice Anderson", home.QuerySelector("#active-account")!.TextContent.Trim());
    }

    [Fact]
    public async Task Revoke_ends_one_account_and_the_most_recent_other_account_becomes_active()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob", "carol");
        var alice = await browser.SessionOfAsync("alice@example.com");
        using (var _ = await browser.PostJsonAsync("/multi-session/set-active", Body(alice.GetProperty("sessionToken").GetString())))
        {
        }

        // Active is alice; most recently used before her: carol.
        using var response = await browser.PostJsonAsync("/multi-session/revoke", Body(alice.GetProperty("sessionToken").GetString()));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{\"status\":true}", await response.Content.ReadAsStringAsync());
        var left = await browser.ListAsync();
        Assert.Equal(new[] { "carol@example.com", "bob@example.com" }, left.Select(e => e.GetProperty("user").GetProperty("email").GetString()!).ToArray());
        Assert.True(left[0].GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task Sign_out_ends_every_account_on_the_device_and_only_there()
    {
        var browser = factory.CreateBrowser();
        var other = factory.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        await other.SignInOkAsync("alice");
        using var response = await browser.PostJsonAsync("/multi-session/sign-out", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await browser.ListAsync());
        Assert.Single(await other.ListAsync());
    }

    [Fact]
    public async Task A_handle_from_another_device_names_nothing_and_changes_nothing()
    {
        var browser = factory.CreateBrowser();
        var other = factory.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        await other.SignInOkAsync("carol");
        var foreign = (await other.ListAsync())[0].GetProperty("sessionToken").GetString();
        var before = await browser.ListAsync();

        await ProblemAsync(await browser.PostJsonAsync("/multi-session/set-active", Body(foreign)), HttpStatusCode.NotFound);
        await ProblemAsync(await browser.PostJsonAsync("/multi-session/revoke", Body(foreign)), HttpStatusCode.NotFound);
        Assert.Single(await other.ListAsync());
        Assert.Equal(before.Select(e => e.ToString()), (await browser.ListAsync()).Select(e => e.ToString()));
    }

    [Fact]
    public async Task A_revoked_or_unknown_handle_gets_404_problem_details()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        var alice = (await browser.SessionOfAsync("alice@example.com")).GetProperty("sessionToken").GetString();
        using (var _ = await browser.PostJsonAsync("/multi-session/revoke", Body(alice)))
        {
        }

        await ProblemAsync(await browser.PostJsonAsync("/multi-session/set-active", Body(alice)), HttpStatusCode.NotFound);
        await ProblemAsync(await browser.PostJsonAsync("/multi-session/revoke", Body(alice)), HttpStatusCode.NotFound);
        await ProblemAsync(await browser.PostJsonAsync("/multi-session/set-active", Body("AAAAAAAAAAAAAAAAAAAAAA")), HttpStatusCode.NotFound);
        await ProblemAsync(await browser.PostJsonAsync("/multi-session/set-active", Body(new string('x', 10_000))), HttpStatusCode.NotFound);
        Assert.Single(await browser.ListAsync());
    }

    [Fact]
    public async Task Without_a_device_cookie_set_active_and_revoke_get_404()
    {
        var browser = factory.CreateBrowser();
        await ProblemAsync(await browser.PostJsonAsync("/multi-session/set-active", Body("AAAAAAAAAAAAAAAAAAAAAA")), HttpStatusCode.NotFound);
        await ProblemAsync(await browser.PostJsonAsync("/multi-session/revoke", Body("AAAAAAAAAAAAAAAAAAAAAA")), HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("{}")]
    [InlineData("{\"sessionToken\":\"\"}")]
    [InlineData("{\"sessionToken\":42}")]
    [InlineData("[\"a\"]")]
    [InlineData("{\"sessionToken\":\"AAAAAAAAAAAAAAAAAAAAAA\",\"extra\":1}")]
    [InlineData("")]
    public async Task Malformed_bodies_get_400_problem_details_and_change_nothing(string body)
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice");
        var before = await factory.CountRowsAsync();
        await ProblemAsync(await browser.PostJsonAsync("/multi-session/set-active", body), HttpStatusCode.BadRequest);
        await ProblemAsync(await browser.PostJsonAsync("/multi-session/revoke", body), HttpStatusCode.BadRequest);
        Assert.Single(await browser.ListAsync());
        Assert.Equal(before, await factory.CountRowsAsync());
    }

    [Theory]
    [InlineData("/multi-session/set-active", "text/plain")]
    [InlineData("/multi-session/revoke", "application/x-www-form-urlencoded")]
    [InlineData("/multi-session/sign-out", "text/plain")]
    [InlineData("/multi-session/sign-out", "multipart/form-data; boundary=x")]
    public async Task State_changing_calls_accept_only_json_bodies(string path, string contentType)
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice");
        var token = (await browser.ListAsync())[0].GetProperty("sessionToken").GetString();
        await ProblemAsync(await browser.PostJsonAsync(path, Body(token), contentType), HttpStatusCode.UnsupportedMediaType);
        Assert.Single(await browser.ListAsync());
    }

    [Theory]
    [InlineData("/multi-session/set-active", "Origin", "https://evil.example")]
    [InlineData("/multi-session/revoke", "Origin", "https://evil.example")]
    [InlineData("/multi-session/sign-out", "Origin", "https://evil.example")]
    [InlineData("/multi-session/sign-out", "Origin", "null")]
    [InlineData("/multi-session/sign-out", "Origin", "http://localhost.evil.example")]
    [InlineData("/multi-session/set-active", "Sec-Fetch-Site", "cross-site")]
    [InlineData("/multi-session/revoke", "Sec-Fetch-Site", "cross-site")]
    [InlineData("/multi-session/sign-out", "Sec-Fetch-Site", "cross-site")]
    public async Task Cross_site_requests_are_refused_with_403_and_change_nothing(string path, string header, string value)
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        var alice = (await browser.SessionOfAsync("alice@example.com")).GetProperty("sessionToken").GetString();
        var before = await browser.ListAsync();
        await ProblemAsync(await browser.PostJsonAsync(path, Body(alice), configure: r => r.Headers.TryAddWithoutValidation(header, value)), HttpStatusCode.Forbidden);
        Assert.Equal(before.Select(e => e.ToString()), (await browser.ListAsync()).Select(e => e.ToString()));
    }

    [Fact]
    public async Task Same_origin_requests_with_origin_and_fetch_metadata_are_accepted()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        var alice = (await browser.SessionOfAsync("alice@example.com")).GetProperty("sessionToken").GetString();
        using var response = await browser.PostJsonAsync("/multi-session/set-active", Body(alice), configure: r =>
        {
            r.Headers.TryAddWithoutValidation("Origin", "http://localhost");
            r.Headers.TryAddWithoutValidation("Sec-Fetch-Site", "same-origin");
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
