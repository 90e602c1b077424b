using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using IdentityServer.MultiSession.Tests.Infrastructure;
using IdpHost.Data;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>
/// The administration API for scripts: access tokens the IdP itself issues to a confidential client (client credentials) with
/// the administration scope; a token without that scope, or a user's token for another client, gets 403; every error is a problem.
/// </summary>
public abstract class AdministrationApiTests
{
    private const string AdminClient = "admin-cli";
    private const string AdminSecret = "admin-cli-development-secret-change-me";
    private const string PlainClient = "reporting-cli";
    private const string PlainSecret = "reporting-cli-secret-for-tests";

    private readonly IdpFactory factory;

    protected AdministrationApiTests(IdpFactory factory)
    {
        this.factory = factory;
        factory.RequireDatabase();

        // The outbox rows stay for the tests to count: no sender delivers (and removes) them meanwhile.
        factory.Settings["MultiSession:BackChannelLogout:Enabled"] = "false";

        // A second confidential client that may use client credentials but was not given the administration scope.
        factory.Settings["Clients:21:ClientId"] = PlainClient;
        factory.Settings["Clients:21:ClientSecret"] = PlainSecret;
        factory.Settings["Clients:21:GrantTypes:0"] = "client_credentials";
    }

    private async Task<TokenResponse> ClientCredentialsAsync(string clientId, string secret, string? scope)
    {
        using var client = factory.CreateClient();
        var form = new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["client_id"] = clientId, ["client_secret"] = secret };
        if (scope is not null)
        {
            form["scope"] = scope;
        }

        using var response = await client.PostAsync("/connect/token", new FormUrlEncodedContent(form));
        return await TokenResponse.ReadAsync(response);
    }

    private async Task<HttpResponseMessage> CallAsync(HttpMethod method, string url, string? accessToken)
    {
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(method, url);
        if (accessToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        }

        var response = await client.SendAsync(request);
        return response;
    }

    private async Task<string> AdminTokenAsync()
    {
        var tokens = await ClientCredentialsAsync(AdminClient, AdminSecret, "multisession_admin");
        Assert.True(tokens.Status == HttpStatusCode.OK, tokens.Body.ToString());
        return tokens.AccessToken!;
    }

    [SkippableFact]
    public async Task A_client_credentials_token_with_the_admin_scope_finds_a_user_lists_and_ends_the_sessions()
    {
        var alice = await DeviceBrowsers.NewUserAsync(factory, "alice");
        var browsers = await DeviceBrowsers.SignedInOnThreeAsync(factory, alice);
        var sids = new List<string>();
        foreach (var browser in browsers)
        {
            await DeviceBrowsers.GetTokensAsync(browser);
            sids.Add(await DeviceBrowsers.ActiveSessionIdAsync(browser));
        }

        var token = await AdminTokenAsync();
        using var found = await CallAsync(HttpMethod.Get, $"/multi-session/admin/api/users?query={alice.ToUpperInvariant()}@example.com", token);
        Assert.Equal(HttpStatusCode.OK, found.StatusCode);
        var user = Assert.Single((await DeviceBrowsers.JsonAsync(found)).EnumerateArray());
        Assert.Equal(alice, user.GetProperty("userName").GetString());
        var id = user.GetProperty("id").GetString()!;

        using var listed = await CallAsync(HttpMethod.Get, $"/multi-session/admin/api/users/{id}/sessions", token);
        var sessions = (await DeviceBrowsers.JsonAsync(listed)).EnumerateArray().ToList();
        Assert.Equal(["Chrome on Windows", "Firefox on Linux", "Safari on iPhone"], sessions.Select(s => s.GetProperty("device").GetString()!).Order(StringComparer.Ordinal));
        Assert.All(sessions, s => Assert.Equal(IdpFactory.ClientId, Assert.Single(s.GetProperty("clients").EnumerateArray()).GetString()));

        using (var one = await CallAsync(HttpMethod.Delete, $"/multi-session/admin/api/users/{id}/sessions/{sids[0]}", token))
        {
            Assert.Equal(HttpStatusCode.NoContent, one.StatusCode);
        }

        Assert.Empty(await browsers[0].ListAsync());
        Assert.Equal(1, await DeviceBrowsers.OutboxRowsAsync(factory, sids[0]));

        using (var all = await CallAsync(HttpMethod.Delete, $"/multi-session/admin/api/users/{id}/sessions", token))
        {
            Assert.Equal(HttpStatusCode.OK, all.StatusCode);
            Assert.Equal(2, (await DeviceBrowsers.JsonAsync(all)).GetProperty("revoked").GetInt32());
        }

        Assert.Empty(await browsers[1].ListAsync());
        Assert.Empty(await browsers[2].ListAsync());
        Assert.Equal(new[] { 1, 1 }, await DeviceBrowsers.OutboxRowsAsync(factory, sids.Skip(1)));
    }

    [SkippableFact]
    public async Task The_settings_and_figures_are_readable_with_the_admin_token()
    {
        var token = await AdminTokenAsync();
        using var options = await CallAsync(HttpMethod.Get, "/multi-session/admin/api/options", token);
        var limit = (await DeviceBrowsers.JsonAsync(options)).EnumerateArray().Single(s => s.GetProperty("name").GetString() == "MaximumSessions");
        Assert.Equal("5", limit.GetProperty("value").GetString());
        Assert.Equal("configuration", limit.GetProperty("source").GetString());

        using var statistics = await CallAsync(HttpMethod.Get, "/multi-session/admin/api/statistics", token);
        Assert.Equal(HttpStatusCode.OK, statistics.StatusCode);
        Assert.True((await DeviceBrowsers.JsonAsync(statistics)).TryGetProperty("devicesAtLimit", out _));
    }

    [SkippableFact]
    public async Task A_token_without_the_admin_scope_gets_403_and_the_scope_is_not_granted_to_other_clients()
    {
        var plain = await ClientCredentialsAsync(PlainClient, PlainSecret, scope: null);
        Assert.Equal(HttpStatusCode.OK, plain.Status);
        using (var response = await CallAsync(HttpMethod.Get, "/multi-session/admin/api/users?query=alice", plain.AccessToken))
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        var asked = await ClientCredentialsAsync(PlainClient, PlainSecret, "multisession_admin");
        Assert.Equal(HttpStatusCode.BadRequest, asked.Status);
        Assert.Null(asked.AccessToken);

        // The administrator's own access token for an ordinary client carries no administration scope: refused too.
        var admin = factory.CreateBrowser();
        await admin.SignInOkAsync(DemoUsers.Administrator.UserName);
        var oidc = new OidcClient(admin);
        var userToken = (await oidc.ExchangeAsync(oidc.Code(await oidc.AuthorizeAsync()))).AccessToken;
        using (var response = await CallAsync(HttpMethod.Get, "/multi-session/admin/api/users?query=alice", userToken))
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }
    }

    [SkippableFact]
    public async Task The_401_and_403_challenges_follow_rfc_6750_for_token_callers_and_the_pages_send_a_browser_to_the_login_instead()
    {
        // No credentials at all: the bare Bearer challenge, no error code.
        using (var none = await CallAsync(HttpMethod.Get, "/multi-session/admin/api/statistics", accessToken: null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
            Assert.Equal("Bearer", Assert.Single(none.Headers.WwwAuthenticate).ToString());
        }

        // A token this IdP refuses (forged, or expired): error="invalid_token".
        var forged = (await AdminTokenAsync())[..^6] + "AAAAAA";
        using (var refused = await CallAsync(HttpMethod.Get, "/multi-session/admin/api/statistics", forged))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            var challenge = Assert.Single(refused.Headers.WwwAuthenticate);
            Assert.Equal("Bearer", challenge.Scheme);
            Assert.Contains("error=\"invalid_token\"", challenge.Parameter, StringComparison.Ordinal);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }

        // A valid token without the administration scope: 403 with error="insufficient_scope".
        var plain = await ClientCredentialsAsync(PlainClient, PlainSecret, scope: null);
        using (var forbidden = await CallAsync(HttpMethod.Get, "/multi-session/admin/api/statistics", plain.AccessToken))
        {
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
            Assert.Contains("error=\"insufficient_scope\"", Assert.Single(forbidden.Headers.WwwAuthenticate).Parameter, StringComparison.Ordinal);
        }

        // A browser on the administration pages, with cookies only, is sent to the login page: no Bearer challenge.
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("bob");
        using (var signedOut = await browser.PostJsonAsync("/multi-session/sign-out", null))
        {
            Assert.Equal(HttpStatusCode.OK, signedOut.StatusCode);
        }

        using var page = await browser.GetAsync("/MultiSession/Admin/User?id=x");
        PickerPage.AssertRedirectTo(page, "/Account/Login");
        Assert.Empty(page.Headers.WwwAuthenticate);
    }

    [SkippableFact]
    public async Task Every_error_is_a_problem_details_body()
    {
        using (var anonymous = await CallAsync(HttpMethod.Get, "/multi-session/admin/api/users?query=alice", null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Equal("application/problem+json", anonymous.Content.Headers.ContentType?.MediaType);
        }

        using (var forged = await CallAsync(HttpMethod.Get, "/multi-session/admin/api/users?query=alice", "not-a-token"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
            Assert.Equal("application/problem+json", forged.Content.Headers.ContentType?.MediaType);
        }

        var token = await AdminTokenAsync();
        var bob = await factory.WithDatabaseAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.SingleAsync(db.Users, u => u.UserName == "bob"));
        foreach (var (method, url, status) in new[]
        {
            (HttpMethod.Get, "/multi-session/admin/api/users", HttpStatusCode.BadRequest),
            (HttpMethod.Get, "/multi-session/admin/api/users?query=%20", HttpStatusCode.BadRequest),
            (HttpMethod.Get, "/multi-session/admin/api/users/no-such-user/sessions", HttpStatusCode.NotFound),
            (HttpMethod.Delete, $"/multi-session/admin/api/users/{bob.Id}/sessions/not-a-session", HttpStatusCode.NotFound),
            (HttpMethod.Get, "/multi-session/admin/api/no-such-thing", HttpStatusCode.NotFound),
        })
        {
            using var response = await CallAsync(method, url, token);
            Assert.True(response.StatusCode == status, $"{method} {url} answered {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal((int)status, body.RootElement.GetProperty("status").GetInt32());
        }
    }

    [SkippableFact]
    public async Task An_administrator_cannot_end_a_session_through_another_users_id()
    {
        var carol = DeviceBrowsers.Browser(factory, DeviceBrowsers.SafariOnIPhone);
        await carol.SignInOkAsync("carol");
        var sid = await DeviceBrowsers.ActiveSessionIdAsync(carol);
        var dave = await factory.WithDatabaseAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.SingleAsync(db.Users, u => u.UserName == "dave"));
        using var response = await CallAsync(HttpMethod.Delete, $"/multi-session/admin/api/users/{dave.Id}/sessions/{sid}", await AdminTokenAsync());
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(sid, await DeviceBrowsers.ActiveSessionIdAsync(carol));
    }
}

public sealed class AdministrationApiTestsOnSqlite(SqliteIdpFactory factory) : AdministrationApiTests(factory), IClassFixture<SqliteIdpFactory>;

public sealed class AdministrationApiTestsOnPostgreSql(PostgreSqlIdpFactory factory) : AdministrationApiTests(factory), IClassFixture<PostgreSqlIdpFactory>;
