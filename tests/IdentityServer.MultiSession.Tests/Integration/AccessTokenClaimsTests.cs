using System.Net;
using IdentityServer.MultiSession.Tests.Infrastructure;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>
/// What the access token says: its audience (the API named by the requested API scope, else the IdP itself as the userinfo
/// resource), and the <c>sid</c> and <c>auth_time</c> of the account's session, also after a refresh.
/// </summary>
public abstract class AccessTokenClaimsTests
{
    private readonly IdpFactory factory;

    protected AccessTokenClaimsTests(IdpFactory factory)
    {
        this.factory = factory;
        factory.RequireDatabase();
    }

    [SkippableFact]
    public async Task An_access_token_requested_with_the_api_scope_names_that_api_as_its_audience()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice");
        var probe = await TokenProbe.ForAsync(browser, "alice@example.com");

        var access = OidcClient.Read(probe.Tokens.AccessToken!);
        Assert.Equal([TokenProbe.ApiName], access.Audiences);
        Assert.Equal("at+jwt", access.Typ);
        var introspection = await probe.IntrospectAsync();
        Assert.True(introspection.GetProperty("active").GetBoolean());
        Assert.Equal(access.GetClaim("sid").Value, introspection.GetProperty("sid").GetString());
    }

    [SkippableFact]
    public async Task Without_an_api_scope_the_access_tokens_audience_is_the_idp_itself_for_userinfo()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("bob");
        var client = new OidcClient(browser);
        var tokens = await client.ExchangeAsync(client.Code(await client.AuthorizeAsync()));

        Assert.Equal(["http://localhost/"], OidcClient.Read(tokens.AccessToken!).Audiences);
        Assert.Equal(HttpStatusCode.OK, await new TokenProbe(factory, tokens).UserInfoAsync());
    }

    [SkippableFact]
    public async Task Refreshed_id_and_access_tokens_keep_the_sessions_sid_auth_time_and_audience()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("carol", "dave");
        var probe = await TokenProbe.ForAsync(browser, "carol@example.com");
        var session = await browser.SessionOfAsync("carol@example.com");

        var refreshed = await probe.RefreshAsync();
        Assert.Equal(HttpStatusCode.OK, refreshed.Status);
        foreach (var jwt in new[] { probe.Tokens.IdToken!, probe.Tokens.AccessToken!, refreshed.IdToken!, refreshed.AccessToken! })
        {
            var token = OidcClient.Read(jwt);
            Assert.Equal(session.GetProperty("sessionId").GetString(), token.GetClaim("sid").Value);
            Assert.True(token.TryGetPayloadValue<long>("auth_time", out var authTime), "auth_time is a number");
            Assert.Equal(session.GetProperty("createdAt").GetDateTimeOffset().ToUnixTimeSeconds(), authTime);
        }

        Assert.Equal([TokenProbe.ApiName], OidcClient.Read(refreshed.AccessToken!).Audiences);
    }
}

/// <summary>AccessTokenClaimsTests on SQLite.</summary>
public sealed class AccessTokenClaimsTestsOnSqlite(SqliteIdpFactory factory) : AccessTokenClaimsTests(factory), IClassFixture<SqliteIdpFactory>;

/// <summary>AccessTokenClaimsTests on PostgreSQL.</summary>
public sealed class AccessTokenClaimsTestsOnPostgreSql(PostgreSqlIdpFactory factory) : AccessTokenClaimsTests(factory), IClassFixture<PostgreSqlIdpFactory>;
