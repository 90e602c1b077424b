using System.Net;
using System.Text.Json;
using IdentityServer.MultiSession.Events;
using IdentityServer.MultiSession.Sessions;
using IdentityServer.MultiSession.Storage;
using IdentityServer.MultiSession.Tests.Infrastructure;
using IdpHost.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>
/// The event hook (<see cref="MultiSessionEvents"/>'s <c>OnXxx</c> delegates) on the real IdP: every kind of change raises its
/// event with the user, sid, device, client where known, time and trace id, only after the change is committed, never for a
/// change that rolled back, and a throwing handler does not break the request that made the change.
/// </summary>
public abstract class MultiSessionEventsTests : IAsyncLifetime
{
    private const string NotifiedClient = "client-events";

    private readonly string _provider;
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly List<EventsIdpFactory> _hosts = [];
    private LogoutReceiver _receiver = default!;

    protected MultiSessionEventsTests(string provider)
    {
        _provider = provider;
        if (provider == "PostgreSQL")
        {
            TestPostgres.Require();
        }
    }

    public async Task InitializeAsync() => _receiver = await LogoutReceiver.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }

        await _receiver.DisposeAsync();
    }

    private EventsIdpFactory Host(Action<Dictionary<string, string?>>? settings = null, bool fakeClock = false)
    {
        var host = new EventsIdpFactory { Provider = _provider, Time = fakeClock ? _time : null };
        host.Settings["MultiSession:BackChannelLogout:Enabled"] = "false";
        host.Settings["MultiSession:BackChannelLogout:MaxAttempts"] = "1";
        host.Settings["Clients:2:ClientId"] = NotifiedClient;
        host.Settings["Clients:2:RedirectUris:0"] = IdpFactory.RedirectUri;
        host.Settings["Clients:2:BackChannelLogoutUri"] = _receiver.Uri.ToString();
        settings?.Invoke(host.Settings);
        _hosts.Add(host);
        return host;
    }

    private static async Task<(string Sid, string UserId, string Token)> SessionAsync(TestBrowser browser, string email)
    {
        var session = await browser.SessionOfAsync(email);
        return (session.GetProperty("sessionId").GetString()!, session.GetProperty("user").GetProperty("id").GetString()!, session.GetProperty("sessionToken").GetString()!);
    }

    private static void AssertTraceId(MultiSessionEventContext context) =>
        Assert.Matches("^[0-9a-f]{32}$", context.TraceId ?? string.Empty);

    private static Task<bool> SessionStoredAsync(MultiSessionEventContext context)
    {
        // A new scope, a new connection: it sees only what has been committed.
        var scopes = context.Services.GetRequiredService<IServiceScopeFactory>();
        return Read();

        async Task<bool> Read()
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ApplicationDbContext>();
            return await db.Set<DeviceSessionEntity>().AsNoTracking().AnyAsync(s => s.Id == context.SessionId);
        }
    }

    [SkippableFact]
    public async Task A_new_sign_in_raises_SignedIn_with_the_user_sid_device_accounts_time_and_trace_id_after_the_session_is_stored()
    {
        var host = Host();
        var stored = new List<bool>();
        host.Events.Probe = async (kind, context) =>
        {
            if (kind == "SignedIn")
            {
                stored.Add(await SessionStoredAsync(context));
            }
        };
        var browser = host.CreateBrowser();
        var before = DateTimeOffset.UtcNow;
        await browser.SignInOkAsync("alice", "bob");

        var alice = await SessionAsync(browser, "alice@example.com");
        var bob = await SessionAsync(browser, "bob@example.com");
        var signedIn = host.Events.Of<SessionEventContext>("SignedIn");
        Assert.Equal([(alice.UserId, alice.Sid, 1), (bob.UserId, bob.Sid, 2)], signedIn.Select(e => (e.UserId, e.SessionId, e.AccountsOnDevice ?? 0)));
        Assert.Equal([true, true], stored);
        Assert.All(signedIn, e =>
        {
            AssertTraceId(e);
            Assert.False(string.IsNullOrEmpty(e.DeviceId));
            Assert.NotNull(e.HttpContext);
            Assert.InRange(e.Time, before.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1));
        });
        Assert.Equal(signedIn[0].DeviceId, signedIn[1].DeviceId);
        Assert.NotEqual(signedIn[0].TraceId, signedIn[1].TraceId);
    }

    [SkippableFact]
    public async Task Switching_raises_Switched_and_signing_in_again_raises_Reauthenticated_with_the_same_sid()
    {
        var host = Host();
        var browser = host.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        var alice = await SessionAsync(browser, "alice@example.com");

        using (var response = await browser.PostJsonAsync("/multi-session/set-active", JsonSerializer.Serialize(new { sessionToken = alice.Token })))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var switched = Assert.Single(host.Events.Of<SessionEventContext>("Switched"));
        Assert.Equal((alice.UserId, alice.Sid), (switched.UserId, switched.SessionId));
        AssertTraceId(switched);

        await browser.SignInOkAsync("alice");
        var again = Assert.Single(host.Events.Of<SessionEventContext>("Reauthenticated"));
        Assert.Equal((alice.UserId, alice.Sid, 2), (again.UserId, again.SessionId, again.AccountsOnDevice));
        Assert.Equal(2, host.Events.Of<SessionEventContext>("SignedIn").Count);
    }

    [SkippableFact]
    public async Task Revoking_an_account_raises_SessionRevoked_with_reason_User_once_the_end_is_committed()
    {
        var host = Host();
        var stillStored = new List<bool>();
        host.Events.Probe = async (kind, context) =>
        {
            if (kind == "SessionRevoked")
            {
                stillStored.Add(await SessionStoredAsync(context));
            }
        };
        var browser = host.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        var bob = await SessionAsync(browser, "bob@example.com");

        using (var response = await browser.PostJsonAsync("/multi-session/revoke", JsonSerializer.Serialize(new { sessionToken = bob.Token })))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var revoked = Assert.Single(host.Events.Of<SessionRevokedContext>("SessionRevoked"));
        Assert.Equal((bob.UserId, bob.Sid, SessionEndReason.User), (revoked.UserId, revoked.SessionId, revoked.Reason));
        Assert.False(string.IsNullOrEmpty(revoked.DeviceId));
        AssertTraceId(revoked);
        Assert.Equal([false], stillStored);
    }

    [SkippableFact]
    public async Task Signing_out_of_all_accounts_raises_one_SessionRevoked_per_account_then_one_SignedOutAll()
    {
        var host = Host();
        var browser = host.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        var alice = await SessionAsync(browser, "alice@example.com");
        var bob = await SessionAsync(browser, "bob@example.com");
        host.Events.Clear();

        using (var response = await browser.PostJsonAsync("/multi-session/sign-out", null))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(["SessionRevoked", "SessionRevoked", "SignedOutAll"], host.Events.Kinds);
        Assert.Equal(
            new[] { alice.Sid, bob.Sid }.Order(StringComparer.Ordinal),
            host.Events.Of<SessionRevokedContext>("SessionRevoked").Select(e => e.SessionId!).Order(StringComparer.Ordinal));
        var all = Assert.Single(host.Events.Of<SignedOutAllContext>("SignedOutAll"));
        Assert.Equal(SessionEndReason.User, all.Reason);
        Assert.Equal(new[] { alice.UserId, bob.UserId }.Order(StringComparer.Ordinal), all.Sessions.Select(s => s.UserId).Order(StringComparer.Ordinal));
        Assert.Single(host.Events.Raised.Select(e => e.Context.TraceId).Distinct());
    }

    [SkippableFact]
    public async Task A_refused_sign_in_at_the_limit_raises_LimitRefused_with_the_count_and_the_limit_and_no_SignedIn()
    {
        var host = Host(s => s["MultiSession:MaximumSessions"] = "2");
        var browser = host.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        using var refused = await browser.SignInAsync("carol");
        Assert.NotEqual(HttpStatusCode.Redirect, refused.StatusCode);

        var limit = Assert.Single(host.Events.Of<LimitRefusedContext>("LimitRefused"));
        Assert.Equal((2, 2), (limit.SessionCount, limit.MaximumSessions));
        Assert.False(string.IsNullOrEmpty(limit.UserId));
        AssertTraceId(limit);
        Assert.Equal(2, host.Events.Of<SessionEventContext>("SignedIn").Count);
    }

    [SkippableFact]
    public async Task Eviction_at_the_limit_raises_SessionRevoked_with_reason_Eviction_for_the_least_recently_used_account()
    {
        var host = Host(s =>
        {
            s["MultiSession:MaximumSessions"] = "2";
            s["MultiSession:OnLimitReached"] = "EvictLeastRecentlyUsed";
        });
        var browser = host.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        var alice = await SessionAsync(browser, "alice@example.com");
        await browser.SignInOkAsync("carol");

        var evicted = Assert.Single(host.Events.Of<SessionRevokedContext>("SessionRevoked"));
        Assert.Equal((alice.UserId, alice.Sid, SessionEndReason.Eviction), (evicted.UserId, evicted.SessionId, evicted.Reason));
        Assert.Equal(2, host.Events.Of<SessionEventContext>("SignedIn").Last().AccountsOnDevice);
    }

    [SkippableFact]
    public async Task Relying_party_logout_raises_SessionRevoked_with_reason_RelyingPartyLogout_and_the_client_id()
    {
        var host = Host();
        var browser = host.CreateBrowser();
        await browser.SignInOkAsync("alice");
        var alice = await SessionAsync(browser, "alice@example.com");
        var client = new OidcClient(browser);
        var tokens = await client.ExchangeAsync(client.Code(await client.AuthorizeAsync(new Dictionary<string, string?> { ["login_hint"] = "alice@example.com" })));
        host.Events.Clear();

        using var response = await browser.GetAsync(QueryHelpers.AddQueryString("/connect/endsession", new Dictionary<string, string?>
        {
            ["id_token_hint"] = tokens.IdToken,
            ["post_logout_redirect_uri"] = IdpFactory.PostLogoutRedirectUri,
        }));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);

        var revoked = Assert.Single(host.Events.Of<SessionRevokedContext>("SessionRevoked"));
        Assert.Equal((alice.UserId, alice.Sid, SessionEndReason.RelyingPartyLogout, IdpFactory.ClientId), (revoked.UserId, revoked.SessionId, revoked.Reason, revoked.ClientId));
        var all = Assert.Single(host.Events.Of<SignedOutAllContext>("SignedOutAll"));
        Assert.Equal((SessionEndReason.RelyingPartyLogout, IdpFactory.ClientId), (all.Reason, all.ClientId));
    }

    [SkippableFact]
    public async Task Signing_out_of_the_other_devices_on_the_profile_page_raises_SessionRevoked_with_reason_User_and_keeps_this_session()
    {
        var host = Host();
        var laptop = host.CreateBrowser();
        var phone = host.CreateBrowser();
        await laptop.SignInOkAsync("alice");
        await phone.SignInOkAsync("alice");
        var kept = await SessionAsync(laptop, "alice@example.com");
        var ended = await SessionAsync(phone, "alice@example.com");
        host.Events.Clear();

        var page = await laptop.GetPageAsync("/Account/Profile");
        using var response = await laptop.SubmitAsync(page.QuerySelector<AngleSharp.Html.Dom.IHtmlFormElement>("form[action*='SignOutOtherDevices']")!);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);

        // The user signed the other device out: the reason says so (not a security-stamp end), and no client asked for it.
        var revoked = Assert.Single(host.Events.Of<SessionRevokedContext>("SessionRevoked"));
        Assert.Equal((ended.Sid, SessionEndReason.User, (string?)null), (revoked.SessionId, revoked.Reason, revoked.ClientId));
        Assert.Empty(await phone.ListAsync());
        Assert.Equal(kept.Sid, (await SessionAsync(laptop, "alice@example.com")).Sid);
    }

    [SkippableFact]
    public async Task An_account_that_may_no_longer_sign_in_ended_at_the_authorization_endpoint_raises_SessionRevoked_with_reason_SecurityStamp_and_no_client()
    {
        var host = Host(s => s["Identity:SignIn:RequireConfirmedAccount"] = "true");
        var browser = host.CreateBrowser();
        await browser.SignInOkAsync("bob", "alice");
        var alice = await SessionAsync(browser, "alice@example.com");
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            var user = (await users.FindByNameAsync("alice"))!;
            user.EmailConfirmed = false;
            Assert.True((await users.UpdateAsync(user)).Succeeded);
        }

        host.Events.Clear();
        var client = new OidcClient(browser);
        using var response = await client.AuthorizeAsync(new Dictionary<string, string?> { ["login_hint"] = "alice@example.com", ["prompt"] = "none" });
        Assert.Equal("login_required", OidcClient.Callback(response).GetValueOrDefault("error"));

        // The client only asked for a sign-in: the end is the account's (it may no longer sign in), not the client's logout.
        var revoked = Assert.Single(host.Events.Of<SessionRevokedContext>("SessionRevoked"));
        Assert.Equal((alice.Sid, SessionEndReason.SecurityStamp, (string?)null), (revoked.SessionId, revoked.Reason, revoked.ClientId));
    }

    [SkippableFact]
    public async Task A_security_stamp_change_raises_SessionRevoked_with_reason_SecurityStamp_for_the_sessions_on_every_device()
    {
        var host = Host();
        var laptop = host.CreateBrowser();
        var phone = host.CreateBrowser();
        await laptop.SignInOkAsync("alice");
        await phone.SignInOkAsync("alice", "bob");
        var sids = new[] { (await SessionAsync(laptop, "alice@example.com")).Sid, (await SessionAsync(phone, "alice@example.com")).Sid };
        host.Events.Clear();

        await using (var scope = host.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            var alice = await users.FindByNameAsync("alice");
            Assert.True((await users.UpdateSecurityStampAsync(alice!)).Succeeded);
            Assert.Equal(2, await scope.ServiceProvider.GetRequiredService<IDeviceSessionService>().RevokeStaleSessionsAsync(alice!.Id));
        }

        var revoked = host.Events.Of<SessionRevokedContext>("SessionRevoked");
        Assert.Equal(sids.Order(StringComparer.Ordinal), revoked.Select(e => e.SessionId!).Order(StringComparer.Ordinal));
        Assert.All(revoked, e => Assert.Equal(SessionEndReason.SecurityStamp, e.Reason));
        Assert.Equal(2, revoked.Select(e => e.DeviceId).Distinct().Count());
    }

    [SkippableFact]
    public async Task The_cleanup_raises_SessionRevoked_with_reason_Expiry_for_each_expired_session_with_a_trace_id_of_its_run()
    {
        var host = Host(
            s =>
            {
                s["MultiSession:SlidingExpiration"] = "01:00:00";
                s["MultiSession:CleanupInterval"] = "30.00:00:00";
                s["MultiSession:BackChannelLogout:Enabled"] = "false";
            },
            fakeClock: true);
        var browser = host.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        var sids = (await browser.ListAsync()).Select(e => e.GetProperty("sessionId").GetString()!).Order(StringComparer.Ordinal).ToList();
        host.Events.Clear();

        _time.Advance(TimeSpan.FromHours(2));
        Assert.Equal(2, await host.Services.GetRequiredService<ExpiredSessionCleanupService>().RunOnceAsync());

        var expired = host.Events.Of<SessionRevokedContext>("SessionRevoked");
        Assert.Equal(sids, expired.Select(e => e.SessionId!).Order(StringComparer.Ordinal));
        Assert.All(expired, e =>
        {
            Assert.Equal(SessionEndReason.Expiry, e.Reason);
            Assert.Null(e.HttpContext);
            AssertTraceId(e);
        });
        Assert.Single(expired.Select(e => e.TraceId).Distinct());
    }

    [SkippableFact]
    public async Task A_revocation_and_a_sign_in_that_roll_back_on_a_database_failure_raise_no_event()
    {
        var host = Host();
        var browser = host.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        var bob = await SessionAsync(browser, "bob@example.com");
        host.Events.Clear();

        // bob (active) is deleted, then making alice active fails: the transaction rolls back, and nothing is raised.
        host.Faults.FailOn = "UPDATE \"MultiSessionDevices\"";
        using (var response = await browser.PostJsonAsync("/multi-session/revoke", JsonSerializer.Serialize(new { sessionToken = bob.Token })))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        }

        Assert.Equal(2, (await browser.ListAsync()).Count);

        // A sign-in whose session insert fails writes nothing and raises nothing either.
        var other = host.CreateBrowser();
        host.Faults.FailOn = "INSERT INTO \"MultiSessionDeviceSessions\"";
        using (var response = await other.SignInAsync("carol"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        }

        host.Faults.FailOn = null;
        Assert.True(host.Faults.Injected >= 2);
        Assert.Empty(host.Events.Raised);

        // The same revocation, committed, raises its event.
        using (var response = await browser.PostJsonAsync("/multi-session/revoke", JsonSerializer.Serialize(new { sessionToken = bob.Token })))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(bob.Sid, Assert.Single(host.Events.Of<SessionRevokedContext>("SessionRevoked")).SessionId);
    }

    [SkippableFact]
    public async Task A_handler_that_throws_is_logged_and_the_request_that_made_the_change_still_succeeds()
    {
        var host = Host();
        host.Events.Throw = new InvalidOperationException("audit store down");
        var browser = host.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        var bob = await SessionAsync(browser, "bob@example.com");

        using (var response = await browser.PostJsonAsync("/multi-session/revoke", JsonSerializer.Serialize(new { sessionToken = bob.Token })))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Single(await browser.ListAsync());
        Assert.Contains(host.Log.Entries, e => e.Contains("[508]", StringComparison.Ordinal) && e.Contains("SessionRevoked", StringComparison.Ordinal) && e.Contains(bob.Sid, StringComparison.Ordinal) && e.Contains("audit store down", StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task Logout_notifications_raise_Delivered_and_Failed_with_the_sub_sid_client_and_attempt()
    {
        var host = Host();
        var browser = host.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        foreach (var hint in new[] { "alice@example.com", "bob@example.com" })
        {
            var client = new OidcClient(browser);
            using var authorized = await client.AuthorizeAsync(new Dictionary<string, string?> { ["client_id"] = NotifiedClient, ["login_hint"] = hint });
            Assert.False(string.IsNullOrEmpty(client.Code(authorized)));
        }

        var alice = await SessionAsync(browser, "alice@example.com");
        var bob = await SessionAsync(browser, "bob@example.com");
        var sender = host.Services.GetRequiredService<Logout.BackChannelLogoutSender>();

        using (var response = await browser.PostJsonAsync("/multi-session/revoke", JsonSerializer.Serialize(new { sessionToken = bob.Token })))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Empty(host.Events.Of<LogoutNotificationContext>("LogoutNotificationDelivered"));
        await sender.ProcessBatchAsync();
        await _receiver.WaitForAsync(1);
        var delivered = Assert.Single(host.Events.Of<LogoutNotificationContext>("LogoutNotificationDelivered"));
        Assert.Equal((bob.UserId, bob.Sid, NotifiedClient, 1, (string?)null), (delivered.UserId, delivered.SessionId, delivered.ClientId, delivered.Attempt, delivered.Error));
        AssertTraceId(delivered);

        _receiver.StatusCode = 503;
        using (var response = await browser.PostJsonAsync("/multi-session/revoke", JsonSerializer.Serialize(new { sessionToken = alice.Token })))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await sender.ProcessBatchAsync();
        var failed = Assert.Single(host.Events.Of<LogoutNotificationContext>("LogoutNotificationFailed"));
        Assert.Equal((alice.UserId, alice.Sid, NotifiedClient, 1, "HTTP 503"), (failed.UserId, failed.SessionId, failed.ClientId, failed.Attempt, failed.Error));
        Assert.Single(host.Events.Of<LogoutNotificationContext>("LogoutNotificationDelivered"));
    }
}

/// <summary>MultiSessionEventsTests on SQLite.</summary>
public sealed class MultiSessionEventsTestsOnSqlite() : MultiSessionEventsTests("Sqlite");

/// <summary>MultiSessionEventsTests on PostgreSQL.</summary>
public sealed class MultiSessionEventsTestsOnPostgreSql() : MultiSessionEventsTests("PostgreSQL");
