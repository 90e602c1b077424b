using System.Diagnostics;
using System.Net;
using System.Text.Json;
using IdentityServer.MultiSession.Storage;
using IdentityServer.MultiSession.Tests.Infrastructure;
using IdpHost.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>
/// The device lookup cache on two IdP instances (two hosts) over one PostgreSQL database: a session ended on one instance is
/// refused by the other's cache once the database's notification arrives, and an instance whose change listener is down reads
/// the database on every request until the listener is back (and its cache cleared).
/// </summary>
public sealed class DeviceLookupCacheOnPostgreSqlTests : IDisposable
{
    // Generous: on a loaded machine a notification takes milliseconds, the fallback bound is 2 s; nothing here waits on a timer.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly string? _database;
    private readonly IdpFactory _a;
    private readonly IdpFactory _b;

    public DeviceLookupCacheOnPostgreSqlTests()
    {
        TestPostgres.Require();
        _database = TestPostgres.NewDatabase();
        _a = Instance();
        _a.CreateClient().Dispose();
        _b = Instance();
        _b.CreateClient().Dispose();
    }

    [SkippableFact]
    public async Task A_revocation_on_one_instance_is_refused_by_the_other_instances_cache_once_the_notification_arrives()
    {
        var onA = _a.CreateBrowser();
        var onB = onA.On(_b);
        await onA.SignInOkAsync("alice");
        await WaitUntilUsableAsync(_b);
        await WarmAsync(onB, "Alice Anderson");
        var invalidations = CacheOf(_b).Invalidations;

        var token = (await onA.ListAsync())[0].GetProperty("sessionToken").GetString();
        using (var revoked = await onA.PostJsonAsync("/multi-session/revoke", JsonSerializer.Serialize(new { sessionToken = token })))
        {
            Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        }

        // The revoking instance refuses at once; the other once the notification has arrived (waited for, never assumed).
        PickerPage.AssertRedirectTo(await onA.GetAsync("/Account/Profile"), "/Account/Login");
        var waited = await WaitUntilRefusedAsync(onB);
        Assert.True(CacheOf(_b).Invalidations > invalidations, "instance B's cache was never told of the change");
        Assert.True(waited < Patience, $"B still served the revoked session after {waited}");
    }

    [SkippableFact]
    public async Task A_session_ended_by_a_statement_outside_the_library_reaches_the_other_instance_through_the_triggers()
    {
        var onA = _a.CreateBrowser();
        var onB = onA.On(_b);
        await onA.SignInOkAsync("bob");
        await WaitUntilUsableAsync(_b);
        await WarmAsync(onB, "Bob Brown");

        await _a.WithDatabaseAsync(db => db.Database.ExecuteSqlRawAsync(
            "DELETE FROM \"MultiSessionDeviceSessionClients\"; DELETE FROM \"MultiSessionDeviceSessions\"; DELETE FROM \"MultiSessionDevices\";"));

        await WaitUntilRefusedAsync(onB);
    }

    [SkippableFact]
    public async Task With_its_listener_stopped_an_instance_reads_the_database_on_every_request_until_the_listener_is_back()
    {
        var onA = _a.CreateBrowser();
        var onB = onA.On(_b);
        await onA.SignInOkAsync("carol", "dave");
        await WaitUntilUsableAsync(_b);
        await WarmAsync(onB, "Dave Davis");
        Assert.True(CacheOf(_b).Count > 0);

        var listener = _b.Services.GetRequiredService<PostgreSqlDeviceChangeListener<ApplicationDbContext>>();
        await listener.StopAsync(CancellationToken.None);
        Assert.False(CacheOf(_b).IsUsable());
        Assert.Equal(0, CacheOf(_b).Count);

        // B hears nothing of this revocation: it must read the database.
        var dave = (await onA.SessionOfAsync("dave@example.com")).GetProperty("sessionToken").GetString();
        using (var revoked = await onA.PostJsonAsync("/multi-session/revoke", JsonSerializer.Serialize(new { sessionToken = dave })))
        {
            Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        }

        var hits = CacheOf(_b).Hits;
        await AssertProfileAsync(onB, "Carol Clark");
        await AssertProfileAsync(onB, "Carol Clark");
        Assert.Equal(hits, CacheOf(_b).Hits);
        Assert.Equal(0, CacheOf(_b).Count);

        await listener.StartAsync(CancellationToken.None);
        await WaitUntilUsableAsync(_b);
        await WarmAsync(onB, "Carol Clark");
    }

    public void Dispose()
    {
        _b?.Dispose();
        _a?.Dispose();
        if (_database is not null)
        {
            TestPostgres.Drop(_database);
        }
    }

    private IdpFactory Instance()
    {
        var instance = new IdpFactory { Provider = "PostgreSQL", ConnectionString = _database };
        instance.Settings["MultiSession:DeviceLookupCache"] = "On";
        return instance;
    }

    private static DeviceLookupCache CacheOf(IdpFactory instance) => instance.Services.GetRequiredService<DeviceLookupCache>();

    private static async Task WaitUntilUsableAsync(IdpFactory instance)
    {
        // The channel is decided by the first lookup; the listener must then have heard one of its own heartbeats.
        using (await instance.CreateBrowser().GetAsync("/Account/Profile"))
        {
        }

        var watch = Stopwatch.StartNew();
        while (!CacheOf(instance).IsUsable())
        {
            Assert.True(watch.Elapsed < Patience, $"the change channel never became usable: {instance.Log}");
            await Task.Delay(20);
        }
    }

    private static async Task WarmAsync(TestBrowser browser, string name)
    {
        var cache = CacheOf(browser.Factory);
        var watch = Stopwatch.StartNew();
        while (true)
        {
            // A heartbeat that came late may set the cache aside for a moment: warm until a page is a hit.
            await AssertProfileAsync(browser, name);
            var hits = cache.Hits;
            await AssertProfileAsync(browser, name);
            if (cache.Hits > hits)
            {
                return;
            }

            Assert.True(watch.Elapsed < Patience, "the page was never served from the cache");
            await Task.Delay(20);
        }
    }

    private static async Task<TimeSpan> WaitUntilRefusedAsync(TestBrowser browser)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            using var response = await browser.GetAsync("/Account/Profile");
            if (response.StatusCode != HttpStatusCode.OK)
            {
                PickerPage.AssertRedirectTo(response, "/Account/Login");
                return watch.Elapsed;
            }

            Assert.True(watch.Elapsed < Patience, $"the revoked session was still served after {watch.Elapsed}");
            await Task.Delay(5);
        }
    }

    private static async Task AssertProfileAsync(TestBrowser browser, string name)
    {
        using var response = await browser.GetAsync("/Account/Profile");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = TestBrowser.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(name, page.QuerySelector("#profile-name")?.TextContent);
    }
}
