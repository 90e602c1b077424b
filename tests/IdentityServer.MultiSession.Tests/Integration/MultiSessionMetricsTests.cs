using System.Net;
using System.Text.Json;
using IdentityServer.MultiSession.Logout;
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

        meter.Observe();
        Assert.Equal([0], meter.Values("multisession.logout_notifications.oldest_pending_age"));

        // bob's notification waits 90 s in the outbox; the gauge shows its age (read again after its cache time).
        await PostOkAsync(browser, "/multi-session/revoke", new { sessionToken = await TokenOfAsync(browser, "bob@example.com") });
        _time.Advance(TimeSpan.FromSeconds(90));
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
        meter.Observe();
        Assert.Equal(0, meter.Values("multisession.logout_notifications.oldest_pending_age")[^1]);
    }
}
