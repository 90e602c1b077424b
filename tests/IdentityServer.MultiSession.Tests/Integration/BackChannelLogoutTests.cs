using System.Net;
using System.Text.Json;
using IdentityServer.MultiSession.Logout;
using IdentityServer.MultiSession.Sessions;
using IdentityServer.MultiSession.Storage;
using IdentityServer.MultiSession.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>
/// Back-channel logout end to end: the real IdP ends sessions, the outbox is written in the same transaction, the sender signs
/// logout tokens with the IdP's keys and POSTs them to relying parties on real loopback ports (Kestrel), on a fake clock.
/// </summary>
public abstract class BackChannelLogoutTests : IAsyncLifetime
{
    private const string ClientA = "client-a";
    private const string ClientB = "client-b";
    private const string ClientQuiet = "client-quiet";
    private const string BackchannelEvent = "http://schemas.openid.net/event/backchannel-logout";

    private readonly string _provider;
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "multisession-logout", Guid.NewGuid().ToString("N"));
    private readonly List<IdpFactory> _hosts = [];
    private string? _database;

    protected BackChannelLogoutTests(string provider)
    {
        _provider = provider;
        if (provider == "PostgreSQL")
        {
            TestPostgres.Require();
        }
    }

    private FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    /// <summary>Client A's receiver.</summary>
    protected LogoutReceiver Receiver => A;

    /// <summary>Two instances on the test's database, on the real clock, each running its timed sender every 50 ms.</summary>
    protected async Task<(IdpFactory First, IdpFactory Second)> TwoSendingInstancesAsync()
    {
        var instances = new List<IdpFactory>();
        for (var i = 0; i < 2; i++)
        {
            var host = Host(sender: true, realClock: true);
            host.Settings["MultiSession:BackChannelLogout:PollInterval"] = "00:00:00.050";
            host.Settings["MultiSession:BackChannelLogout:BatchSize"] = "20";
            host.Settings["MultiSession:BackChannelLogout:Issuer"] = "http://localhost/";
            instances.Add(host);
        }

        foreach (var host in instances)
        {
            using var response = await host.CreateClient().GetAsync("/.well-known/openid-configuration");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        return (instances[0], instances[1]);
    }

    /// <summary>Waits (up to 60 s) until <paramref name="count"/> notifications are delivered.</summary>
    protected static async Task WaitForDeliveredAsync(IdpFactory host, int count)
    {
        for (var i = 0; i < 600; i++)
        {
            var delivered = await host.WithDatabaseAsync(db => db.Set<LogoutNotificationEntity>().CountAsync(n => n.Status == LogoutNotificationStatus.Delivered));
            if (delivered >= count)
            {
                return;
            }

            await Task.Delay(100);
        }
    }

    private LogoutReceiver A { get; set; } = default!;

    private LogoutReceiver B { get; set; } = default!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        _database = _provider == "PostgreSQL" ? TestPostgres.NewDatabase() : $"Data Source={Path.Combine(_folder, "idp.db")}";
        A = await LogoutReceiver.StartAsync();
        B = await LogoutReceiver.StartAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }

        await A.DisposeAsync();
        await B.DisposeAsync();
        if (_provider == "PostgreSQL" && _database is not null)
        {
            TestPostgres.Drop(_database);
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A late background task still holds the file; the system cleans temporary folders.
        }
    }

    /// <summary>
    /// An IdP instance on the test's database, with client-a and client-b registered for back-channel logout. Its timed sender
    /// loop is off unless <paramref name="sender"/>: the tests run batches themselves, so that each attempt is counted.
    /// </summary>
    private IdpFactory Host(bool sender = false, bool realClock = false, int maxAttempts = 4)
    {
        var host = new IdpFactory { Provider = _provider, ConnectionString = _database, Time = realClock ? null : Time };
        var settings = host.Settings;
        settings["MultiSession:BackChannelLogout:Enabled"] = sender ? "true" : "false";
        settings["MultiSession:BackChannelLogout:MaxAttempts"] = maxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["MultiSession:BackChannelLogout:BackoffBase"] = "00:00:10";
        settings["MultiSession:BackChannelLogout:Timeout"] = "00:00:05";
        AddClient(settings, 2, ClientA, A.Uri);
        AddClient(settings, 3, ClientB, B.Uri);
        AddClient(settings, 4, ClientQuiet, null);
        _hosts.Add(host);
        return host;
    }

    private static void AddClient(Dictionary<string, string?> settings, int index, string clientId, Uri? backChannel)
    {
        settings[$"Clients:{index}:ClientId"] = clientId;
        settings[$"Clients:{index}:RedirectUris:0"] = IdpFactory.RedirectUri;
        if (backChannel is not null)
        {
            settings[$"Clients:{index}:BackChannelLogoutUri"] = backChannel.ToString();
        }
    }

    /// <summary>The account named by <paramref name="loginHint"/> authorizes <paramref name="clientId"/> in this browser.</summary>
    private static async Task AuthorizeAsync(TestBrowser browser, string clientId, string loginHint)
    {
        var client = new OidcClient(browser);
        using var response = await client.AuthorizeAsync(new Dictionary<string, string?> { ["client_id"] = clientId, ["login_hint"] = loginHint });
        Assert.False(string.IsNullOrEmpty(client.Code(response)));
    }

    private static async Task<(string Sid, string Sub, string Token)> SessionOfAsync(TestBrowser browser, string email)
    {
        var session = await browser.SessionOfAsync(email);
        return (session.GetProperty("sessionId").GetString()!, session.GetProperty("user").GetProperty("id").GetString()!, session.GetProperty("sessionToken").GetString()!);
    }

    private static async Task RevokeAsync(TestBrowser browser, string sessionToken)
    {
        using var response = await browser.PostJsonAsync("/multi-session/revoke", JsonSerializer.Serialize(new { sessionToken }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static Task<int> SendAsync(IdpFactory host) => host.Services.GetRequiredService<BackChannelLogoutSender>().ProcessBatchAsync();

    private static Task<List<LogoutNotificationEntity>> OutboxAsync(IdpFactory host) =>
        host.WithDatabaseAsync(db => db.Set<LogoutNotificationEntity>().AsNoTracking().OrderBy(n => n.CreatedAt).ToListAsync());

    private static JsonWebToken Read(string token) => new(token);

    private static List<(string Sid, string Sub)> Facts(IEnumerable<string> tokens) =>
        tokens.Select(Read).Select(t => (t.GetClaim("sid").Value, t.Subject)).OrderBy(f => f.Item1, StringComparer.Ordinal).ToList();

    [SkippableFact]
    public async Task Revoking_bob_sends_exactly_one_logout_token_for_bobs_sid_to_each_client_that_got_tokens_through_bob_and_none_for_alices()
    {
        var host = Host();
        var browser = host.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        await AuthorizeAsync(browser, ClientA, "alice@example.com");
        await AuthorizeAsync(browser, ClientA, "bob@example.com");
        await AuthorizeAsync(browser, ClientB, "bob@example.com");
        await AuthorizeAsync(browser, ClientQuiet, "bob@example.com");
        var bob = await SessionOfAsync(browser, "bob@example.com");

        await RevokeAsync(browser, bob.Token);
        await SendAsync(host);

        Assert.Equal([(bob.Sid, bob.Sub)], Facts(await A.WaitForAsync(1)));
        Assert.Equal([(bob.Sid, bob.Sub)], Facts(await B.WaitForAsync(1)));
        await Task.Delay(300);
        await SendAsync(host);
        Assert.Single(A.Tokens);
        Assert.Single(B.Tokens);
        Assert.All(A.ContentTypes.Concat(B.ContentTypes), type => Assert.StartsWith("application/x-www-form-urlencoded", type, StringComparison.Ordinal));

        // The outbox held one row per client of bob's session: both delivered; the client without a URI had nothing to deliver.
        var outbox = await OutboxAsync(host);
        Assert.Equal([ClientA, ClientB], outbox.Select(n => n.ClientId).Order(StringComparer.Ordinal));
        Assert.All(outbox, n => Assert.Equal((LogoutNotificationStatus.Delivered, bob.Sid, 1), (n.Status, n.SessionId, n.Attempts)));
    }

    [SkippableFact]
    public async Task Signing_out_of_all_accounts_sends_one_logout_token_per_account_and_client()
    {
        var host = Host();
        var browser = host.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        await AuthorizeAsync(browser, ClientA, "alice@example.com");
        await AuthorizeAsync(browser, ClientA, "bob@example.com");
        await AuthorizeAsync(browser, ClientB, "bob@example.com");
        var alice = await SessionOfAsync(browser, "alice@example.com");
        var bob = await SessionOfAsync(browser, "bob@example.com");

        using (var response = await browser.PostJsonAsync("/multi-session/sign-out", null))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await SendAsync(host);
        var expectedA = new[] { (alice.Sid, alice.Sub), (bob.Sid, bob.Sub) }.OrderBy(f => f.Item1, StringComparer.Ordinal).ToList();
        Assert.Equal(expectedA, Facts(await A.WaitForAsync(2)));
        Assert.Equal([(bob.Sid, bob.Sub)], Facts(await B.WaitForAsync(1)));
    }

    [SkippableFact]
    public async Task A_logout_token_validates_against_the_IdPs_JWKS_and_carries_exactly_the_back_channel_claims()
    {
        var host = Host();
        var browser = host.CreateBrowser();
        await browser.SignInOkAsync("bob");
        await AuthorizeAsync(browser, ClientA, "bob@example.com");
        var bob = await SessionOfAsync(browser, "bob@example.com");
        await RevokeAsync(browser, bob.Token);
        await SendAsync(host);
        var raw = Assert.Single(await A.WaitForAsync(1));

        var jwks = new JsonWebKeySet(await browser.Client.GetStringAsync("/.well-known/jwks"));
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(raw, new TokenValidationParameters
        {
            ValidIssuer = "http://localhost/",
            ValidAudience = ClientA,
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidateLifetime = true,
            LifetimeValidator = (notBefore, expires, _, _) => expires > Time.GetUtcNow().UtcDateTime,
            ValidTypes = ["logout+jwt"],
        });
        Assert.True(result.IsValid, result.Exception?.Message);
        var token = (JsonWebToken)result.SecurityToken;

        Assert.Equal("logout+jwt", token.Typ);
        Assert.Equal("http://localhost/", token.Issuer);
        Assert.Equal([ClientA], token.Audiences);
        Assert.Equal(bob.Sub, token.Subject);
        Assert.Equal(bob.Sid, token.GetClaim("sid").Value);
        Assert.False(string.IsNullOrEmpty(token.Id));
        var issuedAt = token.GetPayloadValue<long>("iat");
        var expires = token.GetPayloadValue<long>("exp");
        Assert.InRange(issuedAt, Time.GetUtcNow().ToUnixTimeSeconds() - 5, Time.GetUtcNow().ToUnixTimeSeconds() + 5);
        Assert.InRange(expires - issuedAt, 1, 120);
        Assert.False(token.TryGetPayloadValue<string>("nonce", out _));

        using var payload = JsonDocument.Parse(Base64UrlEncoder.Decode(token.EncodedPayload));
        var events = payload.RootElement.GetProperty("events");
        var member = Assert.Single(events.EnumerateObject());
        Assert.Equal(BackchannelEvent, member.Name);
        Assert.Equal(JsonValueKind.Object, member.Value.ValueKind);
        Assert.Empty(member.Value.EnumerateObject());
        Assert.Equal(
            ["aud", "events", "exp", "iat", "iss", "jti", "sid", "sub"],
            payload.RootElement.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
    }

    [SkippableFact]
    public async Task A_relying_party_answering_500_gets_the_notification_once_it_recovers_and_the_back_off_has_passed()
    {
        var host = Host();
        var browser = host.CreateBrowser();
        await browser.SignInOkAsync("bob");
        await AuthorizeAsync(browser, ClientA, "bob@example.com");
        var bob = await SessionOfAsync(browser, "bob@example.com");
        A.StatusCode = 500;
        await RevokeAsync(browser, bob.Token);

        await SendAsync(host);
        await A.WaitForAsync(1);
        var failed = Assert.Single(await OutboxAsync(host));
        Assert.Equal((LogoutNotificationStatus.Pending, 1, "HTTP 500"), (failed.Status, failed.Attempts, failed.LastError));
        Assert.Equal(Time.GetUtcNow().AddSeconds(10).ToUnixTimeMilliseconds(), failed.NextAttemptAt.ToUnixTimeMilliseconds());

        // Not due yet: nothing is claimed before the back-off has passed.
        Assert.Equal(0, await SendAsync(host));

        A.StatusCode = 200;
        Time.Advance(TimeSpan.FromSeconds(10));
        await SendAsync(host);
        var tokens = await A.WaitForAsync(2);
        Assert.Equal(2, tokens.Count);
        Assert.Equal(bob.Sid, Read(tokens[1]).GetClaim("sid").Value);
        Assert.NotEqual(Read(tokens[0]).Id, Read(tokens[1]).Id);
        var delivered = Assert.Single(await OutboxAsync(host));
        Assert.Equal((LogoutNotificationStatus.Delivered, 2), (delivered.Status, delivered.Attempts));
    }

    [SkippableFact]
    public async Task A_relying_party_that_is_down_gets_the_notification_after_it_comes_back()
    {
        var host = Host();
        var browser = host.CreateBrowser();
        await browser.SignInOkAsync("bob");
        await AuthorizeAsync(browser, ClientA, "bob@example.com");
        var bob = await SessionOfAsync(browser, "bob@example.com");
        await A.StopAsync();
        await RevokeAsync(browser, bob.Token);

        await SendAsync(host);
        var refused = Assert.Single(await OutboxAsync(host));
        Assert.Equal((LogoutNotificationStatus.Pending, 1), (refused.Status, refused.Attempts));
        Assert.Equal("ConnectionError", refused.LastError);

        // The second wait is twice the first.
        Time.Advance(TimeSpan.FromSeconds(10));
        await SendAsync(host);
        Assert.Equal(Time.GetUtcNow().AddSeconds(20).ToUnixTimeMilliseconds(), Assert.Single(await OutboxAsync(host)).NextAttemptAt.ToUnixTimeMilliseconds());

        await A.StartAgainAsync();
        Time.Advance(TimeSpan.FromSeconds(20));
        await SendAsync(host);
        Assert.Equal([(bob.Sid, bob.Sub)], Facts(await A.WaitForAsync(1)));
        Assert.Equal(LogoutNotificationStatus.Delivered, Assert.Single(await OutboxAsync(host)).Status);
    }

    [SkippableFact]
    public async Task A_notification_that_keeps_failing_is_marked_failed_after_the_configured_attempts_and_is_not_tried_again()
    {
        var host = Host(maxAttempts: 3);
        var browser = host.CreateBrowser();
        await browser.SignInOkAsync("bob");
        await AuthorizeAsync(browser, ClientA, "bob@example.com");
        var bob = await SessionOfAsync(browser, "bob@example.com");
        A.StatusCode = 503;
        await RevokeAsync(browser, bob.Token);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(1, await SendAsync(host));
            Time.Advance(TimeSpan.FromHours(1));
        }

        Assert.Equal(0, await SendAsync(host));
        Assert.Equal(3, (await A.WaitForAsync(3)).Count);
        var failed = Assert.Single(await OutboxAsync(host));
        Assert.Equal((LogoutNotificationStatus.Failed, 3, "HTTP 503"), (failed.Status, failed.Attempts, failed.LastError));
        Assert.Null(failed.LeaseOwner);
    }

    [SkippableFact]
    public async Task An_IdP_restarted_between_the_end_of_a_session_and_delivery_still_delivers()
    {
        string sid;
        var first = Host(sender: false);
        {
            var browser = first.CreateBrowser();
            await browser.SignInOkAsync("bob");
            await AuthorizeAsync(browser, ClientA, "bob@example.com");
            var bob = await SessionOfAsync(browser, "bob@example.com");
            sid = bob.Sid;
            await RevokeAsync(browser, bob.Token);
        }

        await first.DisposeAsync();
        _hosts.Remove(first);
        Assert.Empty(A.Tokens);

        var second = Host(sender: true);
        using (var discovery = await second.CreateClient().GetAsync("/.well-known/openid-configuration"))
        {
            Assert.Equal(HttpStatusCode.OK, discovery.StatusCode);
        }

        await SendAsync(second);
        var token = Read(Assert.Single(await A.WaitForAsync(1)));
        Assert.Equal(sid, token.GetClaim("sid").Value);
    }

    [SkippableFact]
    public async Task Eviction_at_the_limit_and_the_end_of_a_users_sessions_by_a_security_stamp_change_notify_the_clients()
    {
        var host = Host();
        host.Settings["MultiSession:MaximumSessions"] = "1";
        host.Settings["MultiSession:OnLimitReached"] = "EvictLeastRecentlyUsed";
        var browser = host.CreateBrowser();
        await browser.SignInOkAsync("alice");
        await AuthorizeAsync(browser, ClientA, "alice@example.com");
        var alice = await SessionOfAsync(browser, "alice@example.com");
        await browser.SignInOkAsync("bob");
        await AuthorizeAsync(browser, ClientB, "bob@example.com");
        var bob = await SessionOfAsync(browser, "bob@example.com");

        await using (var scope = host.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<IDeviceSessionService>().RevokeUserSessionsAsync(bob.Sub);
        }

        Assert.Equal([(alice.Sid, ClientA), (bob.Sid, ClientB)], (await OutboxAsync(host)).Select(n => (n.SessionId, n.ClientId)));
        await SendAsync(host);
        Assert.Equal([(alice.Sid, alice.Sub)], Facts(await A.WaitForAsync(1)));
        Assert.Equal([(bob.Sid, bob.Sub)], Facts(await B.WaitForAsync(1)));
    }

    [SkippableFact]
    public async Task An_expired_session_removed_by_the_cleanup_notifies_its_clients_after_revoking_its_grants()
    {
        var host = Host();
        var browser = host.CreateBrowser();
        await browser.SignInOkAsync("bob");
        await AuthorizeAsync(browser, ClientA, "bob@example.com");
        var bob = await SessionOfAsync(browser, "bob@example.com");
        Assert.Equal(["valid"], await AuthorizationStatusesOfAsync(host, bob.Sid));

        Time.Advance(TimeSpan.FromDays(15));
        await host.Services.GetRequiredService<ExpiredSessionCleanupService>().RunOnceAsync();
        Assert.Equal((0, 0), await host.CountRowsAsync());

        // The cleanup only deletes rows and queues notifications; the sender revokes the session's grant before it posts.
        await SendAsync(host);
        Assert.Equal([(bob.Sid, bob.Sub)], Facts(await A.WaitForAsync(1)));
        Assert.Equal(["revoked"], await AuthorizationStatusesOfAsync(host, bob.Sid));
    }

    /// <summary>The statuses of the OpenIddict authorizations created for the session <paramref name="sid"/> (its <c>ms_sid</c> property).</summary>
    private static async Task<List<string?>> AuthorizationStatusesOfAsync(IdpFactory host, string sid)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var authorizations = scope.ServiceProvider.GetRequiredService<global::OpenIddict.Abstractions.IOpenIddictAuthorizationManager>();
        var statuses = new List<string?>();
        await foreach (var authorization in authorizations.ListAsync(count: null, offset: null))
        {
            var properties = await authorizations.GetPropertiesAsync(authorization);
            if (properties.TryGetValue("ms_sid", out var value) && value.GetString() == sid)
            {
                statuses.Add(await authorizations.GetStatusAsync(authorization));
            }
        }

        return statuses;
    }

    [SkippableFact]
    public async Task Clients_recorded_concurrently_on_one_session_are_all_kept_once()
    {
        var host = Host();
        var browser = host.CreateBrowser();
        await browser.SignInOkAsync("bob");
        var bob = await SessionOfAsync(browser, "bob@example.com");
        var clients = Enumerable.Range(0, 20).Select(i => $"client-{i:D2}").ToList();

        await Task.WhenAll(clients.Concat(clients).Select(async clientId =>
        {
            await using var scope = host.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<IDeviceSessionStore>().AddClientAsync(bob.Sid, clientId);
        }));

        var stored = await host.WithDatabaseAsync(db => db.Set<DeviceSessionClientEntity>().Where(c => c.SessionId == bob.Sid).Select(c => c.ClientId).ToListAsync());
        Assert.Equal(clients, stored.Order(StringComparer.Ordinal));
    }

    [SkippableFact]
    public async Task Discovery_advertises_back_channel_and_front_channel_logout_with_the_session_id()
    {
        var host = Host();
        using var document = JsonDocument.Parse(await host.CreateClient().GetStringAsync("/.well-known/openid-configuration"));
        foreach (var name in new[] { "backchannel_logout_supported", "backchannel_logout_session_supported", "frontchannel_logout_supported", "frontchannel_logout_session_supported" })
        {
            Assert.True(document.RootElement.GetProperty(name).GetBoolean(), name);
        }
    }
}

/// <summary>Back-channel logout on SQLite.</summary>
public sealed class BackChannelLogoutTestsOnSqlite() : BackChannelLogoutTests("Sqlite");

/// <summary>Back-channel logout on PostgreSQL, and two IdP instances sharing the outbox.</summary>
public sealed class BackChannelLogoutTestsOnPostgreSql() : BackChannelLogoutTests("PostgreSQL")
{
    [SkippableFact]
    public async Task Two_IdP_instances_each_running_the_sender_deliver_each_of_500_notifications_exactly_once()
    {
        var (first, second) = await TwoSendingInstancesAsync();
        var now = DateTimeOffset.UtcNow;
        var expected = Enumerable.Range(0, 500).Select(i => $"sid-{i:D4}").ToList();
        await first.WithDatabaseAsync(async db =>
        {
            db.Set<LogoutNotificationEntity>().AddRange(expected.Select(sid => new LogoutNotificationEntity
            {
                Id = "n-" + sid,
                SessionId = sid,
                Subject = "user-" + sid,
                ClientId = "client-a",
                NextAttemptAt = now,
                CreatedAt = now,
            }));
            return await db.SaveChangesAsync();
        });

        var tokens = await Receiver.WaitForAsync(500, seconds: 60);
        await WaitForDeliveredAsync(first, 500);

        // Nothing arrives twice, not even a little later.
        await Task.Delay(1000);
        var received = Receiver.Tokens.Select(t => new JsonWebToken(t)).ToList();
        Assert.Equal(500, received.Count);
        Assert.Equal(500, received.Select(t => t.Id).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(expected, received.Select(t => t.GetClaim("sid").Value).Order(StringComparer.Ordinal));
        Assert.Equal(500, tokens.Count);
        Assert.Equal(500, await second.WithDatabaseAsync(db => db.Set<LogoutNotificationEntity>().CountAsync(n => n.Status == LogoutNotificationStatus.Delivered && n.Attempts == 1)));
    }
}
