using System.Globalization;
using System.Net;
using IdentityServer.MultiSession.Storage;
using IdentityServer.MultiSession.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>
/// Re-authentication and <c>SignInManager.RefreshSignInAsync</c> renew the account's session in place: same slot, same sid,
/// clients kept; auth_time moves only on a real authentication; allowed above a lowered limit.
/// </summary>
public abstract class ReauthenticationTests
{
    private readonly IdpFactory fixture;

    protected ReauthenticationTests(IdpFactory fixture)
    {
        this.fixture = fixture;
        fixture.RequireDatabase();
    }

    private EndpointsIdpFactory Create(FakeTimeProvider time) => new() { Provider = fixture.Provider, Time = time };

    [SkippableFact]
    public async Task Signing_in_again_keeps_the_sid_slot_and_clients_and_moves_auth_time()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var host = Create(time);
        var browser = host.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        var client = new OidcClient(browser);
        var before = await host.WithDatabaseAsync(db => db.Set<DeviceSessionEntity>().AsNoTracking().SingleAsync(s => s.Email == "bob@example.com"));
        var tokens = await client.ExchangeAsync(client.Code(await client.AuthorizeAsync()));
        Assert.Equal(HttpStatusCode.OK, tokens.Status);

        time.Advance(TimeSpan.FromMinutes(10));
        await browser.SignInOkAsync("bob");

        var after = await host.WithDatabaseAsync(db => db.Set<DeviceSessionEntity>().AsNoTracking().SingleAsync(s => s.Email == "bob@example.com"));
        Assert.Equal(before.Id, after.Id);
        Assert.Equal(before.Slot, after.Slot);
        Assert.Contains(IdpFactory.ClientId, await host.WithDatabaseAsync(db => db.Set<DeviceSessionClientEntity>().Where(c => c.SessionId == after.Id).Select(c => c.ClientId).ToListAsync()));
        Assert.Equal(before.AuthenticatedAt.AddMinutes(10), after.AuthenticatedAt);
        Assert.Equal(2, (await browser.ListAsync()).Count);

        // The refresh token issued through that sid keeps working.
        Assert.Equal(HttpStatusCode.OK, (await OidcClient.RefreshAsync(browser.Client, tokens.RefreshToken!)).Status);
    }

    [SkippableFact]
    public async Task Refreshing_the_sign_in_keeps_the_sid_and_the_auth_time()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var host = Create(time);
        var browser = host.CreateBrowser();
        await browser.SignInOkAsync("alice");
        var client = new OidcClient(browser);
        var tokens = await client.ExchangeAsync(client.Code(await client.AuthorizeAsync()));
        var sid = OidcClient.Read(tokens.IdToken!).GetClaim("sid").Value;
        var authTime = OidcClient.Read(tokens.IdToken!).GetClaim("auth_time").Value;

        time.Advance(TimeSpan.FromMinutes(10));
        using (var refreshed = await browser.PostJsonAsync("/test/refresh", null))
        {
            Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        }

        var again = new OidcClient(browser);
        var second = await again.ExchangeAsync(again.Code(await again.AuthorizeAsync()));
        Assert.Equal(sid, OidcClient.Read(second.IdToken!).GetClaim("sid").Value);
        Assert.Equal(authTime, OidcClient.Read(second.IdToken!).GetClaim("auth_time").Value);
        Assert.Single(await browser.ListAsync());
        Assert.Equal(HttpStatusCode.OK, (await OidcClient.RefreshAsync(browser.Client, tokens.RefreshToken!)).Status);
        Assert.Equal(
            time.GetUtcNow().AddMinutes(-10).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            authTime);
    }

    [SkippableFact]
    public async Task Re_authenticating_an_account_is_allowed_on_a_device_above_a_lowered_limit()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var host = Create(time);
        var browser = host.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob", "carol");
        var before = (await browser.SessionOfAsync("alice@example.com")).GetProperty("sessionId").GetString();

        // The limit is lowered to 2 while the device holds 3 accounts (as an administrator's configuration change would).
        host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<MultiSessionOptions>>().CurrentValue.MaximumSessions = 2;
        time.Advance(TimeSpan.FromMinutes(1));
        await browser.SignInOkAsync("alice");
        Assert.Equal(before, (await browser.SessionOfAsync("alice@example.com")).GetProperty("sessionId").GetString());
        Assert.Equal(3, (await browser.ListAsync()).Count);

        using var refused = await browser.SignInAsync("dave");
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Equal(3, (await browser.ListAsync()).Count);
    }
}

/// <summary>ReauthenticationTests on SQLite.</summary>
public sealed class ReauthenticationTestsOnSqlite(SqliteIdpFactory factory) : ReauthenticationTests(factory), IClassFixture<SqliteIdpFactory>;

/// <summary>ReauthenticationTests on PostgreSQL.</summary>
public sealed class ReauthenticationTestsOnPostgreSql(PostgreSqlIdpFactory factory) : ReauthenticationTests(factory), IClassFixture<PostgreSqlIdpFactory>;
