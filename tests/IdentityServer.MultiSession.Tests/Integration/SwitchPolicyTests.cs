using System.Globalization;
using System.Net;
using System.Text.Json;
using IdentityServer.MultiSession.Storage;
using IdentityServer.MultiSession.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>
/// The switch policy (<c>MultiSession:ReauthenticateAfter</c>): an account the authorization policy names (the sample: the
/// <c>admin</c> role, which alice has, or two-factor sign-in on) whose last authentication is older than the setting signs in
/// again before it is switched to, on every route: the picker, the API's set-active, <c>login_hint</c>, <c>id_token_hint</c>,
/// and the next active account after a revoke. Other accounts switch freely; with the setting off nothing changes.
/// </summary>
public abstract class SwitchPolicyTests
{
    private static readonly TimeSpan After = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan Later = TimeSpan.FromMinutes(10);

    private readonly IdpFactory fixture;

    protected SwitchPolicyTests(IdpFactory fixture)
    {
        this.fixture = fixture;
        fixture.RequireDatabase();
    }

    private IdpFactory Create(FakeTimeProvider time, bool policyOn = true, string? policyName = null)
    {
        var host = new IdpFactory { Provider = fixture.Provider, Time = time };
        if (policyOn)
        {
            host.Settings["MultiSession:ReauthenticateAfter"] = After.ToString("c", CultureInfo.InvariantCulture);
        }

        if (policyName is not null)
        {
            host.Settings["MultiSession:ReauthenticationPolicy"] = policyName;
        }

        return host;
    }

    private static Dictionary<string, string?> P(params (string Key, string? Value)[] pairs) => pairs.ToDictionary(p => p.Key, p => p.Value);

    /// <summary>Signs the accounts in one second apart, so that "most recently used" has one answer.</summary>
    private static async Task SignInInOrderAsync(TestBrowser browser, FakeTimeProvider time, params string[] userNames)
    {
        foreach (var userName in userNames)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await browser.SignInOkAsync(userName);
        }
    }

    private static string Body(string sessionToken) => JsonSerializer.Serialize(new { sessionToken });

    private static async Task<string> TokenOfAsync(TestBrowser browser, string email) =>
        (await browser.SessionOfAsync(email)).GetProperty("sessionToken").GetString()!;

    private static async Task<string?> ActiveEmailAsync(TestBrowser browser) =>
        (await browser.ListAsync()).Where(s => s.GetProperty("active").GetBoolean())
            .Select(s => s.GetProperty("user").GetProperty("email").GetString())
            .SingleOrDefault();

    /// <summary>Asserts a redirect to the login page for <paramref name="email"/>; returns its query.</summary>
    private static Dictionary<string, string> AssertLoginPageFor(HttpResponseMessage response, string email)
    {
        PickerPage.AssertRedirectTo(response, "/Account/Login?");
        var query = QueryHelpers.ParseQuery(new Uri(new Uri("http://localhost"), response.Headers.Location!).Query)
            .ToDictionary(p => p.Key, p => p.Value.ToString());
        Assert.Equal(email, query.GetValueOrDefault("login_hint"));
        return query;
    }

    private static async Task<Microsoft.IdentityModel.JsonWebTokens.JsonWebToken> IdTokenAsync(OidcClient client, HttpResponseMessage response)
    {
        var tokens = await client.ExchangeAsync(client.Code(response));
        Assert.Equal(HttpStatusCode.OK, tokens.Status);
        return OidcClient.Read(tokens.IdToken!);
    }

    [SkippableFact]
    public async Task A_privileged_account_picked_in_the_picker_after_the_time_signs_in_again_for_the_client_and_keeps_its_sid()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var host = Create(time);
        var browser = host.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        var aliceSid = (await browser.SessionOfAsync("alice@example.com")).GetProperty("sessionId").GetString();
        time.Advance(Later);

        var client = new OidcClient(browser);
        using var toPicker = await browser.GetAsync(client.AuthorizeUrl(P(("prompt", "select_account"))));
        PickerPage.AssertRedirectTo(toPicker, "/MultiSession/Accounts");
        var picker = await PickerPage.OpenAsync(browser, toPicker.Headers.Location!.ToString());

        // The picker marks alice (an administrator, authenticated too long ago), not bob.
        var aliceRow = picker.UseForm("alice@example.com").Closest("li")!;
        var bobRow = picker.UseForm("bob@example.com").Closest("li")!;
        Assert.Equal("Sign in again to use", aliceRow.QuerySelector(".ms-badge-reauth")?.TextContent.Trim());
        Assert.Null(bobRow.QuerySelector(".ms-badge-reauth"));

        // Picking her leads to the login page for her, returning to this authorization request; nothing switched yet.
        using var picked = await picker.UseAsync("alice@example.com");
        var login = AssertLoginPageFor(picked, "alice@example.com");
        Assert.StartsWith("/connect/authorize?", login["ReturnUrl"], StringComparison.Ordinal);
        Assert.Equal("bob@example.com", await ActiveEmailAsync(browser));

        // Signing in again hands her to the client with the same sid and a new auth_time, and makes her active.
        using var signIn = await browser.SignInAsync("alice", login["ReturnUrl"]);
        var id = await IdTokenAsync(client, await browser.FollowAsync(signIn));
        Assert.Equal("alice@example.com", id.GetClaim("email").Value);
        Assert.Equal(aliceSid, id.GetClaim("sid").Value);
        Assert.Equal(time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), id.GetClaim("auth_time").Value);
        Assert.Equal("alice@example.com", await ActiveEmailAsync(browser));
        Assert.Equal(2, (await browser.ListAsync()).Count);
    }

    [SkippableFact]
    public async Task Set_active_of_a_privileged_account_after_the_time_answers_403_problem_details_with_the_url_of_its_login_page()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var host = Create(time);
        var browser = host.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        time.Advance(Later);

        var alice = await browser.SessionOfAsync("alice@example.com");
        Assert.True(alice.RequiresReauthentication());
        Assert.False((await browser.SessionOfAsync("bob@example.com")).RequiresReauthentication());

        using var response = await browser.PostJsonAsync("/multi-session/set-active", Body(alice.GetProperty("sessionToken").GetString()!));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(403, problem.RootElement.GetProperty("status").GetInt32());
        var url = problem.RootElement.GetProperty("reauthenticateUrl").GetString()!;
        Assert.StartsWith("/Account/Login?", url, StringComparison.Ordinal);
        Assert.Equal("alice@example.com", QueryHelpers.ParseQuery(url[url.IndexOf('?', StringComparison.Ordinal)..])["login_hint"].ToString());
        Assert.Equal("bob@example.com", await ActiveEmailAsync(browser));

        // The URL is the login form with her name filled in; signing in there makes her active in place.
        var page = await browser.GetPageAsync(url);
        Assert.Equal("alice@example.com", page.QuerySelector<AngleSharp.Html.Dom.IHtmlInputElement>("input[name='Input.UserName']")!.Value);
        await browser.SignInOkAsync("alice");
        Assert.Equal("alice@example.com", await ActiveEmailAsync(browser));
        Assert.Equal(alice.GetProperty("sessionId").GetString(), (await browser.SessionOfAsync("alice@example.com")).GetProperty("sessionId").GetString());
        Assert.False((await browser.SessionOfAsync("alice@example.com")).RequiresReauthentication());
    }

    [SkippableFact]
    public async Task A_login_hint_naming_a_privileged_account_after_the_time_gets_its_login_page_or_login_required_with_prompt_none()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var host = Create(time);
        var browser = host.CreateBrowser();
        await browser.SignInOkAsync("bob", "alice", "carol");
        time.Advance(Later);

        using var none = await browser.GetAsync(new OidcClient(browser).AuthorizeUrl(P(("login_hint", "alice@example.com"), ("prompt", "none"))));
        Assert.Equal("login_required", OidcClient.Callback(none)["error"]);

        using var login = await browser.GetAsync(new OidcClient(browser).AuthorizeUrl(P(("login_hint", "alice"))));
        AssertLoginPageFor(login, "alice@example.com");

        // bob, not privileged, is used through his hint as before.
        var client = new OidcClient(browser);
        var id = await IdTokenAsync(client, await client.AuthorizeAsync(P(("login_hint", "bob@example.com"), ("prompt", "none"))));
        Assert.Equal("bob@example.com", id.GetClaim("email").Value);
        Assert.Equal("carol@example.com", await ActiveEmailAsync(browser));
    }

    [SkippableFact]
    public async Task An_id_token_hint_naming_a_privileged_account_after_the_time_gets_its_login_page_or_login_required_with_prompt_none()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var host = Create(time);
        var browser = host.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        var first = new OidcClient(browser);
        var aliceTokens = await first.ExchangeAsync(first.Code(await first.AuthorizeAsync(P(("login_hint", "alice")))));
        Assert.Equal(HttpStatusCode.OK, aliceTokens.Status);
        time.Advance(Later);

        using var none = await browser.GetAsync(new OidcClient(browser).AuthorizeUrl(P(("id_token_hint", aliceTokens.IdToken), ("prompt", "none"))));
        Assert.Equal("login_required", OidcClient.Callback(none)["error"]);

        var client = new OidcClient(browser);
        using var login = await browser.GetAsync(client.AuthorizeUrl(P(("id_token_hint", aliceTokens.IdToken))));
        var query = AssertLoginPageFor(login, "alice@example.com");

        // After signing in again the same request gets her, with her sid.
        using var signIn = await browser.SignInAsync("alice", query["ReturnUrl"]);
        var id = await IdTokenAsync(client, await browser.FollowAsync(signIn));
        Assert.Equal(OidcClient.Read(aliceTokens.IdToken!).GetClaim("sid").Value, id.GetClaim("sid").Value);
    }

    [SkippableFact]
    public async Task An_account_with_two_factor_gives_its_second_factor_again_even_on_a_browser_remembered_for_it()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var host = Create(time);
        var browser = host.CreateBrowser();
        var account = await TwoFactorAccounts.CreateAsync(host, twoFactor: true);
        (await browser.SignInWithAuthenticatorAsync(account, remember: true)).Dispose();
        var sid = (await browser.SessionOfAsync(account.Email)).GetProperty("sessionId").GetString();
        await browser.SignInOkAsync("bob");

        // Within the time the remembered browser stands in for the second factor, as Identity does.
        using (var remembered = await browser.SignInAsync(account.UserName))
        {
            PickerPage.AssertRedirectTo(remembered, "/");
            Assert.DoesNotContain("LoginWith2fa", remembered.Headers.Location!.ToString(), StringComparison.Ordinal);
        }

        await browser.SignInOkAsync("bob");
        time.Advance(Later);

        var picker = await PickerPage.OpenAsync(browser);
        Assert.NotNull(picker.UseForm(account.Email).Closest("li")!.QuerySelector(".ms-badge-reauth"));
        using var picked = await picker.UseAsync(account.Email);
        var login = AssertLoginPageFor(picked, account.Email);

        // The password alone is not enough now: the second factor is asked for again.
        using var password = await browser.SignInAsync(account.UserName, login["ReturnUrl"]);
        var secondFactor = password.Headers.Location?.ToString() ?? string.Empty;
        Assert.StartsWith("/Account/LoginWith2fa?", secondFactor, StringComparison.Ordinal);
        Assert.Equal("bob@example.com", await ActiveEmailAsync(browser));

        using var done = await browser.SubmitSecondFactorAsync(secondFactor, new Dictionary<string, string>
        {
            ["Code"] = TwoFactorAccounts.Totp(account.AuthenticatorKey!),
            ["RememberMachine"] = "false",
        });
        Assert.True(TestBrowser.IsRedirect(done), $"The second factor answered {(int)done.StatusCode}");
        Assert.Equal(account.Email, await ActiveEmailAsync(browser));
        var row = await host.WithDatabaseAsync(db => db.Set<DeviceSessionEntity>().AsNoTracking().SingleAsync(s => s.Email == account.Email));
        Assert.Equal(sid, row.Id);
        Assert.Equal(time.GetUtcNow().ToUnixTimeSeconds(), row.AuthenticatedAt.ToUnixTimeSeconds());
        Assert.Contains("otp", row.AuthenticationMethods ?? string.Empty, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Accounts_the_policy_does_not_name_switch_freely_on_every_route_after_the_time()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var host = Create(time);
        var browser = host.CreateBrowser();
        await browser.SignInOkAsync("bob", "carol", "dave");
        time.Advance(Later);

        Assert.All(await browser.ListAsync(), s => Assert.False(s.RequiresReauthentication()));
        using (var setActive = await browser.PostJsonAsync("/multi-session/set-active", Body(await TokenOfAsync(browser, "bob@example.com"))))
        {
            Assert.Equal(HttpStatusCode.OK, setActive.StatusCode);
        }

        var picker = await PickerPage.OpenAsync(browser);
        Assert.Empty(picker.Document.QuerySelectorAll(".ms-badge-reauth"));
        using (var used = await picker.UseAsync("carol@example.com"))
        {
            PickerPage.AssertRedirectTo(used, "/");
            Assert.DoesNotContain("/Account/Login", used.Headers.Location!.ToString(), StringComparison.Ordinal);
        }

        Assert.Equal("carol@example.com", await ActiveEmailAsync(browser));
        var client = new OidcClient(browser);
        var id = await IdTokenAsync(client, await client.AuthorizeAsync(P(("login_hint", "dave"), ("prompt", "none"))));
        Assert.Equal("dave@example.com", id.GetClaim("email").Value);
    }

    [SkippableFact]
    public async Task A_privileged_account_switches_freely_within_the_time()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var host = Create(time);
        var browser = host.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        time.Advance(After - TimeSpan.FromMinutes(1));

        Assert.False((await browser.SessionOfAsync("alice@example.com")).RequiresReauthentication());
        using var setActive = await browser.PostJsonAsync("/multi-session/set-active", Body(await TokenOfAsync(browser, "alice@example.com")));
        Assert.Equal(HttpStatusCode.OK, setActive.StatusCode);
        Assert.Equal("alice@example.com", await ActiveEmailAsync(browser));
    }

    [SkippableFact]
    public async Task With_the_setting_off_a_privileged_account_switches_as_before_on_every_route()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var host = Create(time, policyOn: false);
        var browser = host.CreateBrowser();
        await SignInInOrderAsync(browser, time, "carol", "alice", "bob");
        time.Advance(TimeSpan.FromDays(1));

        Assert.All(await browser.ListAsync(), s => Assert.False(s.RequiresReauthentication()));
        var client = new OidcClient(browser);
        var id = await IdTokenAsync(client, await client.AuthorizeAsync(P(("login_hint", "alice"), ("prompt", "none"))));
        Assert.Equal("alice@example.com", id.GetClaim("email").Value);

        // Revoking the active account makes the most recently used other one active, whoever it is.
        using (var revoke = await browser.PostJsonAsync("/multi-session/revoke", Body(await TokenOfAsync(browser, "bob@example.com"))))
        {
            Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        }

        Assert.Equal("alice@example.com", await ActiveEmailAsync(browser));
        using var setActive = await browser.PostJsonAsync("/multi-session/set-active", Body(await TokenOfAsync(browser, "carol@example.com")));
        Assert.Equal(HttpStatusCode.OK, setActive.StatusCode);
    }

    [SkippableFact]
    public async Task Revoking_the_active_account_makes_the_most_recent_account_that_needs_no_re_authentication_active()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var host = Create(time);
        var browser = host.CreateBrowser();
        await SignInInOrderAsync(browser, time, "carol", "alice", "dave");
        time.Advance(Later);

        using var revoke = await browser.PostJsonAsync("/multi-session/revoke", Body(await TokenOfAsync(browser, "dave@example.com")));
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);

        // alice was used more recently than carol, but must sign in again: carol is active.
        Assert.Equal("carol@example.com", await ActiveEmailAsync(browser));
        Assert.True((await browser.SessionOfAsync("alice@example.com")).RequiresReauthentication());
        var activeId = await host.WithDatabaseAsync(db => db.Set<DeviceEntity>().AsNoTracking().Select(d => d.ActiveSessionId).SingleAsync());
        Assert.Equal((await browser.SessionOfAsync("carol@example.com")).GetProperty("sessionId").GetString(), activeId);
    }

    [SkippableFact]
    public async Task When_every_remaining_account_must_sign_in_again_the_browser_has_no_active_account_until_one_is_chosen()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var host = Create(time);
        var browser = host.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        var aliceSid = (await browser.SessionOfAsync("alice@example.com")).GetProperty("sessionId").GetString();
        time.Advance(Later);

        using (var revoke = await browser.PostJsonAsync("/multi-session/revoke", Body(await TokenOfAsync(browser, "bob@example.com"))))
        {
            Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        }

        var list = await browser.ListAsync();
        var alice = Assert.Single(list);
        Assert.False(alice.GetProperty("active").GetBoolean());
        Assert.True(alice.RequiresReauthentication());
        Assert.Null(await host.WithDatabaseAsync(db => db.Set<DeviceEntity>().AsNoTracking().Select(d => d.ActiveSessionId).SingleAsync()));

        // The pages cope: the home page and the picker show her, marked, and nobody is used without a choice.
        await browser.GetPageAsync("/");
        var picker = await PickerPage.OpenAsync(browser);
        Assert.NotNull(picker.UseForm("alice@example.com").Closest("li")!.QuerySelector(".ms-badge-reauth"));
        Assert.Empty(picker.Document.QuerySelectorAll(".ms-account-active"));

        using var none = await browser.GetAsync(new OidcClient(browser).AuthorizeUrl(P(("prompt", "none"))));
        Assert.Equal("login_required", OidcClient.Callback(none)["error"]);

        var client = new OidcClient(browser);
        using var login = await browser.GetAsync(client.AuthorizeUrl());
        var query = AssertLoginPageFor(login, "alice@example.com");
        using var signIn = await browser.SignInAsync("alice", query["ReturnUrl"]);
        var id = await IdTokenAsync(client, await browser.FollowAsync(signIn));
        Assert.Equal(aliceSid, id.GetClaim("sid").Value);
        Assert.Equal("alice@example.com", await ActiveEmailAsync(browser));
    }

    [SkippableFact]
    public async Task A_configuration_reload_turns_the_setting_on_at_once_and_a_negative_value_is_refused()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var host = new ReloadableIdpFactory { Provider = fixture.Provider, Time = time };
        var browser = host.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        time.Advance(Later);
        var alice = await TokenOfAsync(browser, "alice@example.com");
        var bob = await TokenOfAsync(browser, "bob@example.com");
        using (var off = await browser.PostJsonAsync("/multi-session/set-active", Body(alice)))
        {
            Assert.Equal(HttpStatusCode.OK, off.StatusCode);
        }

        using (var back = await browser.PostJsonAsync("/multi-session/set-active", Body(bob)))
        {
            Assert.Equal(HttpStatusCode.OK, back.StatusCode);
        }

        host.Reload(("MultiSession:ReauthenticateAfter", After.ToString("c", CultureInfo.InvariantCulture)));
        using (var on = await browser.PostJsonAsync("/multi-session/set-active", Body(alice)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, on.StatusCode);
        }

        host.Reload(("MultiSession:ReauthenticateAfter", "-00:05:00"));
        Assert.Equal(After, host.Current.ReauthenticateAfter);
        using var refused = await browser.PostJsonAsync("/multi-session/set-active", Body(alice));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [SkippableFact]
    public async Task A_policy_the_host_has_not_defined_names_every_account_and_is_logged()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var host = Create(time, policyName: "NoSuchPolicy");
        var browser = host.CreateBrowser();
        await browser.SignInOkAsync("bob", "carol");
        time.Advance(Later);

        using var setActive = await browser.PostJsonAsync("/multi-session/set-active", Body(await TokenOfAsync(browser, "bob@example.com")));
        Assert.Equal(HttpStatusCode.Forbidden, setActive.StatusCode);
        Assert.Contains(host.Log.Entries, e => e.Contains("'NoSuchPolicy' is not defined", StringComparison.Ordinal));
    }
}

/// <summary>Reads the list entry's <c>requiresReauthentication</c>, which the API writes only when it is <c>true</c>.</summary>
internal static class SwitchPolicyJson
{
    public static bool RequiresReauthentication(this JsonElement entry) =>
        entry.TryGetProperty("requiresReauthentication", out var value) && value.GetBoolean();
}

/// <summary>SwitchPolicyTests on SQLite.</summary>
public sealed class SwitchPolicyTestsOnSqlite(SqliteIdpFactory factory) : SwitchPolicyTests(factory), IClassFixture<SqliteIdpFactory>;

/// <summary>SwitchPolicyTests on PostgreSQL.</summary>
public sealed class SwitchPolicyTestsOnPostgreSql(PostgreSqlIdpFactory factory) : SwitchPolicyTests(factory), IClassFixture<PostgreSqlIdpFactory>;
