using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using IdentityServer.MultiSession.Tests.Infrastructure;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>The full authorization code flow with PKCE, for two accounts on one browser (BEHAVIOUR.md §4).</summary>
public abstract class AuthorizationCodeFlowTests
{
    private readonly IdpFactory factory;

    protected AuthorizationCodeFlowTests(IdpFactory factory)
    {
        this.factory = factory;
        factory.RequireDatabase();
    }

    [SkippableFact]
    public async Task Two_accounts_on_one_browser_get_validly_signed_id_tokens_with_their_own_sub_sid_auth_time_and_nonce()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");

        var forAlice = new OidcClient(browser);
        var aliceCode = forAlice.Code(await forAlice.AuthorizeAsync(new Dictionary<string, string?> { ["login_hint"] = "alice@example.com" }));
        var aliceTokens = await forAlice.ExchangeAsync(aliceCode);
        Assert.Equal(HttpStatusCode.OK, aliceTokens.Status);
        var aliceToken = await forAlice.ValidateIdTokenAsync(aliceTokens.IdToken!);

        var forBob = new OidcClient(browser);
        var bobCode = forBob.Code(await forBob.AuthorizeAsync());
        var bobTokens = await forBob.ExchangeAsync(bobCode);
        var bobToken = await forBob.ValidateIdTokenAsync(bobTokens.IdToken!);

        var sessions = await browser.ListAsync();
        var alice = sessions.Single(s => s.GetProperty("user").GetProperty("email").GetString() == "alice@example.com");
        var bob = sessions.Single(s => s.GetProperty("user").GetProperty("email").GetString() == "bob@example.com");

        Assert.Equal(alice.GetProperty("user").GetProperty("id").GetString(), aliceToken.Subject);
        Assert.Equal(bob.GetProperty("user").GetProperty("id").GetString(), bobToken.Subject);
        Assert.Equal(alice.GetProperty("sessionId").GetString(), aliceToken.GetClaim("sid").Value);
        Assert.Equal(bob.GetProperty("sessionId").GetString(), bobToken.GetClaim("sid").Value);
        Assert.NotEqual(aliceToken.GetClaim("sid").Value, bobToken.GetClaim("sid").Value);

        var aliceAuthTime = long.Parse(aliceToken.GetClaim("auth_time").Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(alice.GetProperty("createdAt").GetDateTimeOffset().ToUnixTimeSeconds(), aliceAuthTime);
        Assert.True(bobToken.TryGetPayloadValue<long>("auth_time", out _), "auth_time is a number in the ID token");
    }

    [SkippableFact]
    public async Task Access_tokens_carry_sid_and_auth_time_and_userinfo_answers_for_the_account_used()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("carol");
        var client = new OidcClient(browser);
        var tokens = await client.ExchangeAsync(client.Code(await client.AuthorizeAsync()));
        var idToken = await client.ValidateIdTokenAsync(tokens.IdToken!);

        var access = OidcClient.Read(tokens.AccessToken!);
        Assert.Equal(idToken.GetClaim("sid").Value, access.GetClaim("sid").Value);
        Assert.Equal(idToken.GetClaim("auth_time").Value, access.GetClaim("auth_time").Value);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/connect/userinfo");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.AccessToken);
        using var response = await browser.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var userInfo = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(idToken.Subject, userInfo.RootElement.GetProperty("sub").GetString());
        Assert.Equal("carol@example.com", userInfo.RootElement.GetProperty("email").GetString());
    }

    [SkippableFact]
    public async Task A_refresh_token_works_while_its_session_lives_and_is_refused_once_the_session_is_revoked()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("dave");
        var client = new OidcClient(browser);
        var tokens = await client.ExchangeAsync(client.Code(await client.AuthorizeAsync()));
        Assert.NotNull(tokens.RefreshToken);

        var refreshed = await OidcClient.RefreshAsync(browser.Client, tokens.RefreshToken!);
        Assert.Equal(HttpStatusCode.OK, refreshed.Status);
        Assert.Equal(OidcClient.Read(tokens.IdToken!).GetClaim("sid").Value, OidcClient.Read(refreshed.IdToken!).GetClaim("sid").Value);

        var token = (await browser.SessionOfAsync("dave@example.com")).GetProperty("sessionToken").GetString();
        using var revoke = await browser.PostJsonAsync("/multi-session/revoke", JsonSerializer.Serialize(new { sessionToken = token }));
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);

        var refused = await OidcClient.RefreshAsync(browser.Client, refreshed.RefreshToken!);
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal("invalid_grant", refused.Error);
    }

    [SkippableFact]
    public async Task The_discovery_document_advertises_select_account()
    {
        using var document = JsonDocument.Parse(await factory.CreateBrowser().Client.GetStringAsync("/.well-known/openid-configuration"));
        var prompts = document.RootElement.GetProperty("prompt_values_supported").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("select_account", prompts);
        var methods = document.RootElement.GetProperty("code_challenge_methods_supported").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Equal(["S256"], methods);
    }
}

/// <summary>AuthorizationCodeFlowTests on SQLite.</summary>
public sealed class AuthorizationCodeFlowTestsOnSqlite(SqliteIdpFactory factory) : AuthorizationCodeFlowTests(factory), IClassFixture<SqliteIdpFactory>;

/// <summary>AuthorizationCodeFlowTests on PostgreSQL.</summary>
public sealed class AuthorizationCodeFlowTestsOnPostgreSql(PostgreSqlIdpFactory factory) : AuthorizationCodeFlowTests(factory), IClassFixture<PostgreSqlIdpFactory>;
