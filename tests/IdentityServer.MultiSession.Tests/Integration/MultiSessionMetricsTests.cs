using System.Net;
using System.Text.Json;
using IdentityServer.MultiSession.Logout;
using IdentityServer.MultiSession.Metrics;
using IdentityServer.MultiSession.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>
/// The <c>IdentityServer.MultiSession</c> meter of the real IdP, read with a <see cref="System.Diagnostics.Metrics.MeterListener"/>:
/// counters per event kind (revocations tagged with the reason), accounts per device at sign-in, logout notifications delivered
/// and failed, and the age of the oldest pending notification.
/// </summary>
public sealed class MultiSessionMetricsTests : IAsyncLifetime
{
    private const string NotifiedClient = "client-metrics";

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly List<IdpFactory> _hosts = [];
    private LogoutReceiver _receiver = default!;

    public async Task InitializeAsync() => _receiver = await LogoutReceiver.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }

        await _receiver.DisposeAsync();
    }

    private IdpFactory Host(Action<Dictionary<string, string?>>? settings = null)
    {
        var host = new IdpFactory { Time = _time };
        host.Settings["MultiSession:BackChannelLogout:Enabled"] = "false";
        host.Settings["MultiSession:BackChannelLogout:MaxAttempts"] = "1";
        host.Settings["Clients:2:ClientId"] = NotifiedClient;
        host.Settings["Clients:2:RedirectUris:0"] = IdpFactory.RedirectUri;
        host.Settings["Clients:2:BackChannelLogoutUri"] = _receiver.Uri.ToString();
        settings?.Invoke(host.Settings);
        _hosts.Add(host);
        return host;
    }

    private static async Task<string> TokenOfAsync(TestBrowser browser, string email) =>
        (await browser.SessionOfAsync(email)).GetProperty("sessionToken").GetString()!;

    private static async Task PostOkAsync(TestBrowser browser, string path, object? body)
    {
        using var response = await browser.PostJsonAsync(path, body is null ? null : JsonSerializer.Serialize(body));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Sign_ins_switches_and_reauthentications_are_counted_and_the_accounts_per_device_recorded()
    {
        var host = Host();
        using var meter = new MeterRecorder(host.Services);
        var browser = host.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob", "carol");
        await PostOkAsync(browser, "/multi-session/set-active", new { sessionToken = await TokenOfAsync(browser, "alice@example.com") });
        await browser.SignInOkAsync("bob");

        Assert.Equal(3, meter.Sum("multisession.sign_ins"));
        Assert.Equal(1, meter.Sum("multisession.switches"));
        Assert.Equal(1, meter.Sum("multisession.reauthentications"));
        Assert.Equal([1, 2, 3, 3], meter.Values("multisession.accounts_per_device"));
    }

    [Fact]
    public async Task Revocations_are_counted_with_their_reason_and_a_sign_out_of_all_once_as_well()
    {
        var host = Host(s =>
        {
            s["MultiSession:MaximumSessions"] = "2";
            s["MultiSession:OnLimitReached"] = "EvictLeastRecentlyUsed";
        });
        using var meter = new MeterRecorder(host.Services);
        var browser = host.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        await browser.SignInOkAsync("carol");
        Assert.Equal(1, meter.Sum("multisession.revocations", "eviction"));

        await PostOkAsync(browser, "/multi-session/revoke", new { sessionToken = await TokenOfAsync(browser, "bob@example.com") });
        Assert.Equal(1, meter.Sum("multisession.revocations", "user"));

        await browser.SignInOkAsync("dave");
        await PostOkAsync(browser, "/multi-session/sign-out", null);
        Assert.Equal(3, meter.Sum("multisession.revocations", "user"));
        Assert.Equal(1, meter.Sum("multisession.sign_outs_all", "user"));
        Assert.Equal(4, meter.Sum("multisession.revocations"));
        Assert.Equal(0, meter.Sum("multisession.revocations", "admin"));
    }

    [Fact]
    public async Task A_sign_in_refused_at_the_limit_is_counted_as_a_limit_refusal_and_not_as_a_sign_in()
    {
        var host = Host(s => s["MultiSession:MaximumSessions"] = "1");
        using var meter = new MeterRecorder(host.Services);
        var browser = host.CreateBrowser();
        await browser.SignInOkAsync("alice");
        using (await browser.SignInAsync("bob"))
        {
        }

        Assert.Equal(1, meter.Sum("multisession.limit_refusals"));
        Assert.Equal(1, meter.Sum("multisession.sign_ins"));
    }

    [Fact]
    public async Task Logout_notifications_delivered_and_failed_are_counted_and_the_oldest_pending_age_is_observed()
    {
        var host = Host();
        using var meter = new MeterRecorder(host.Services);
        var browser = host.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        foreach (var hint in new[] { "alice@example.com", "bob@example.com" })
        {
            var client = new OidcClient(browser);
            using var response = await client.AuthorizeAsync(new Dictionary<string, string?> { ["client_id"] = NotifiedClient, ["login_hint"] = hint });
            Assert.False(string.IsNullOrEmpty(client.Code(response)));
        }

        // The gauge answers from the snapshot the background refresher reads; here the refresher's run is made at once.
        await RefreshAsync(host);
        meter.Observe();
        Assert.Equal([0], meter.Values("multisession.logout_notifications.oldest_pending_age"));

        // bob's notification waits 90 s in the outbox; the gauge shows its age once the snapshot is read again.
        await PostOkAsync(browser, "/multi-session/revoke", new { sessionToken = await TokenOfAsync(browser, "bob@example.com") });
        _time.Advance(TimeSpan.FromSeconds(90));
        await RefreshAsync(host);
        meter.Observe();
        Assert.Equal(90, meter.Values("multisession.logout_notifications.oldest_pending_age")[^1], 0.5);

        var sender = host.Services.GetRequiredService<BackChannelLogoutSender>();
        await sender.ProcessBatchAsync();
        await _receiver.WaitForAsync(1);
        Assert.Equal(1, meter.Sum("multisession.logout_notifications.delivered"));

        // alice's relying party answers 500; with one attempt allowed, the notification fails for good.
        _receiver.StatusCode = 500;
        await PostOkAsync(browser, "/multi-session/revoke", new { sessionToken = await TokenOfAsync(browser, "alice@example.com") });
        await sender.ProcessBatchAsync();
        Assert.Equal(1, meter.Sum("multisession.logout_notifications.failed"));
        Assert.Equal(1, meter.Sum("multisession.logout_notifications.delivered"));

        _time.Advance(TimeSpan.FromSeconds(10));
        await RefreshAsync(host);
        meter.Observe();
        Assert.Equal(0, meter.Values("multisession.logout_notifications.oldest_pending_age")[^1]);
    }

    [Fact]
    public async Task A_scrape_answers_with_the_last_snapshot_and_the_background_refresher_reads_the_store_again_each_interval()
    {
        var host = Host(s => s["MultiSession:MetricsRefreshInterval"] = "00:01:00");
        using var meter = new MeterRecorder(host.Services);
        var browser = host.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        var client = new OidcClient(browser);
        using (var response = await client.AuthorizeAsync(new Dictionary<string, string?> { ["client_id"] = NotifiedClient, ["login_hint"] = "bob@example.com" }))
        {
            Assert.False(string.IsNullOrEmpty(client.Code(response)));
        }

        // The refresher's first reading, at start: nothing pending.
        Assert.Equal(0, await ObservedAsync(meter, value => value is not null));

        // bob's notification is now pending in the database, but a scrape answers with the last snapshot, without asking the
        // store, until the interval has passed.
        await PostOkAsync(browser, "/multi-session/revoke", new { sessionToken = await TokenOfAsync(browser, "bob@example.com") });
        Assert.Equal(0, await ObservedAsync(meter, _ => true));
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(0, await ObservedAsync(meter, _ => true));

        // One interval after the last reading, the refresher reads the store again (on the host's clock): the age shows.
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(60, await ObservedAsync(meter, value => value > 0) ?? -1, 0.5);
    }

    private static Task RefreshAsync(IdpFactory host) => host.Services.GetRequiredService<MultiSessionMetrics>().RefreshAsync();

    /// <summary>Scrapes until <paramref name="done"/> holds for the gauge's latest value (at most 10 s); returns that value.</summary>
    private static async Task<double?> ObservedAsync(MeterRecorder meter, Func<double?, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            meter.Observe();
            var values = meter.Values("multisession.logout_notifications.oldest_pending_age");
            double? latest = values.Count > 0 ? values[^1] : null;
            if (done(latest) || DateTime.UtcNow > deadline)
            {
                return latest;
            }

            await Task.Delay(50);
        }
    }
}
