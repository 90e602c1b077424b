using System.Diagnostics;
using IdentityServer.MultiSession.Sessions;
using IdpHost.Data;
using Microsoft.Extensions.DependencyInjection;

namespace MultiSession.Bench;

/// <summary>
/// The growth part (<c>--only growth</c>; in the full run, not in <c>--quick</c>): costs that grow with the work, on SQLite.
/// 1. The IdP process's memory at each number of stored sessions (<see cref="BenchOptions.StoredSessions"/>), the IdP in a
///    process of its own. 2. Bytes allocated per authenticated page request and per authentication: multi-session, the
///    stateless baseline, the server-side-session peer. 3. The library's expired-session cleanup removing
///    <see cref="BenchOptions.CleanupSessions"/> expired sessions that each had a client, under paced page requests. 4. The
///    library's back-channel logout sender delivering <see cref="BenchOptions.OutboxNotifications"/> notifications to a local
///    receiver, under paced page requests.
/// </summary>
internal static class Growth
{
    private static readonly Func<VirtualBrowser, Task<bool>> Page = b => b.ProfileAsync();

    public static async Task<GrowthResult> RunAsync(BenchOptions options, string directory)
    {
        var result = new GrowthResult { Browsers = options.Browsers, RatePerBrowser = options.GrowthRate };
        await MemoryAsync(options, directory, result);
        await AllocationsAsync(options, directory, result);
        await CleanupAsync(options, directory, result);
        await OutboxAsync(options, directory, result);
        return result;
    }

    /// <summary>
    /// Per size: a fresh IdP process, the browsers signed in, the sessions seeded, then the same traffic (a code flow and
    /// <see cref="BenchOptions.GrowthRequests"/> page requests per browser), then two full GCs in the IdP and its memory read.
    /// </summary>
    private static async Task MemoryAsync(BenchOptions options, string directory, GrowthResult result)
    {
        foreach (var sessions in options.StoredSessions.Order())
        {
            using var idp = new IdpProcess($"growth-memory-{sessions}", directory, options.RepositoryRoot);
            var address = await idp.StartAsync();
            BenchProgram.Progress($"growth memory: IdP process {idp.ProcessId} on {address}");
            var browsers = await SignInAsync(address, options.Browsers);
            try
            {
                var took = SessionSeeder.SeedTo(idp.DatabasePath, sessions);
                BenchProgram.Progress($"growth memory: seeded to {BenchProgram.FormatCount(SessionSeeder.CountSessions(idp.DatabasePath))} sessions in {took.TotalSeconds:0.0} s");
                var errors = 0;
                foreach (var browser in browsers)
                {
                    using var tokens = await browser.CodeFlowAsync(browser.NextLoginHint());
                    errors += tokens is null ? 1 : 0;
                }

                var (requests, pageErrors) = await RequestPagesAsync(browsers, options.GrowthRequests);
                var memory = await idp.MeasureAsync();
                var row = new GrowthMemoryRow(sessions, memory, requests, errors + pageErrors);
                result.Memory.Add(row);
                BenchProgram.Progress($"growth memory at {BenchProgram.FormatCount(sessions)} sessions: VmRSS {memory.VmRssBytes / 1048576.0:0.0} MiB (anon {memory.RssAnonBytes / 1048576.0:0.0}, file {memory.RssFileBytes / 1048576.0:0.0}, shmem {memory.RssShmemBytes / 1048576.0:0.0}), " +
                                      $"managed heap {memory.ManagedHeapBytes / 1048576.0:0.0} MiB, {row.Errors} errors");
            }
            finally
            {
                Dispose(browsers);
            }
        }
    }

    /// <summary>One host per setup in this process, one browser at a time: page requests, then authentications without HTTP.</summary>
    private static async Task AllocationsAsync(BenchOptions options, string directory, GrowthResult result)
    {
        foreach (var (kind, label) in new[]
                 {
                     (HostKind.Baseline, "baseline: stock Identity cookie (stateless)"),
                     (HostKind.Peer, "peer: stock cookie + EF Core ticket store"),
                     (HostKind.MultiSession, "multi-session (query per request)"),
                     (HostKind.MultiSessionCached, "multi-session + lookup cache"),
                 })
        {
            using var host = new IdpServer($"growth-allocations-{kind}", kind, directory, postgresConnectionString: null);
            host.Start();
            using var browser = new VirtualBrowser(host.BaseAddress);
            await browser.SignInAsync("alice", DemoUsers.Password);
            await RequestPagesAsync([browser], Math.Max(100, options.GrowthRequests / 4));
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            var (requests, errors) = await RequestPagesAsync([browser], options.GrowthRequests);
            var perRequest = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / Math.Max(1, requests + errors);
            var perAuthentication = await HotPath.AllocatedPerAuthenticationAsync(host, browser.Cookies.GetCookieHeader(host.BaseAddress), options.GrowthRequests);
            result.Allocations.Add(new GrowthAllocationRow(label, perRequest, perAuthentication, requests, errors));
            BenchProgram.Progress($"growth allocations, {label}: {perRequest:N0} bytes per page request, {perAuthentication:N0} per authentication, {errors} errors");
        }
    }

    /// <summary>
    /// Expired sessions seeded (each with the bench's client recorded, whose back-channel URI is registered), then the library's
    /// cleanup run to completion while the browsers request pages. The sender is off on this host, so that the notifications
    /// the cleanup queues stay in the outbox to be counted (and delivery does not share the measurement).
    /// </summary>
    private static async Task CleanupAsync(BenchOptions options, string directory, GrowthResult result)
    {
        using var host = new IdpServer("growth-cleanup", HostKind.MultiSession, directory, postgresConnectionString: null);
        host.Settings["MultiSession:BackChannelLogout:Enabled"] = "false";
        host.Settings["Clients:1:BackChannelLogoutUri"] = "http://127.0.0.1:9/backchannel-logout";
        host.Start();
        var browsers = await SignInAsync(host.BaseAddress, options.Browsers);
        try
        {
            var live = SessionSeeder.CountSessions(host.DatabasePath);
            var took = SessionSeeder.SeedTo(host.DatabasePath, live + options.CleanupSessions, expired: true);
            BenchProgram.Progress($"growth cleanup: seeded {BenchProgram.FormatCount(options.CleanupSessions)} expired sessions with a client in {took.TotalSeconds:0.0} s");
            await PacedLoad.RunForAsync(browsers, Page, options.GrowthRate, options.WarmUp);
            var (before, loadBefore) = await ProcessLoad.MeasureAsync(() => PacedLoad.RunForAsync(browsers, Page, options.GrowthRate, options.GrowthWindow));
            var cleanup = host.Services.GetRequiredService<ExpiredSessionCleanupService>();
            var watch = Stopwatch.StartNew();
            var ((during, removed), loadDuring) = await ProcessLoad.MeasureAsync(() => PacedLoad.RunWhileAsync(browsers, Page, options.GrowthRate, () => cleanup.RunOnceAsync()));
            var time = watch.Elapsed;
            var queued = SessionSeeder.Count(host.DatabasePath, "MultiSessionLogoutNotifications");
            var left = SessionSeeder.CountSessions(host.DatabasePath);
            var note = left == live ? string.Empty : $"{left:N0} sessions left after the cleanup where {live:N0} live ones were expected.";
            result.Jobs.Add(new GrowthJobRow("cleanup of expired sessions (ExpiredSessionCleanupService.RunOnceAsync)", options.CleanupSessions, removed, queued, 0, time, before, during, note)
            {
                LoadBefore = loadBefore,
                LoadDuring = loadDuring,
            });
            BenchProgram.Progress($"growth cleanup: removed {removed:N0} in {time.TotalSeconds:0.0} s, queued {queued:N0} notifications, page p95 {before.P95:0.00} ms before, {during.P95:0.00} ms during");
        }
        finally
        {
            Dispose(browsers);
        }
    }

    /// <summary>
    /// Notifications queued in one transaction for the bench's client, whose back-channel URI is a <see cref="LogoutReceiver"/>;
    /// the host's own sender (the hosted service, default settings) delivers them while the browsers request pages. The time runs
    /// from the commit to the receiver's count reaching the total with no pending row left (it includes up to one poll interval before the first claim).
    /// </summary>
    private static async Task OutboxAsync(BenchOptions options, string directory, GrowthResult result)
    {
        await using var receiver = new LogoutReceiver();
        var uri = await receiver.StartAsync();
        using var host = new IdpServer("growth-outbox", HostKind.MultiSession, directory, postgresConnectionString: null);
        host.Settings["Clients:1:BackChannelLogoutUri"] = uri.AbsoluteUri;
        host.Start();
        var browsers = await SignInAsync(host.BaseAddress, options.Browsers);
        try
        {
            // A code flow per browser: the sender takes the logout tokens' issuer from the latest OpenID Connect request.
            foreach (var browser in browsers)
            {
                using var tokens = await browser.CodeFlowAsync(browser.NextLoginHint())
                    ?? throw new InvalidOperationException("A code flow of the outbox host failed.");
            }

            await PacedLoad.RunForAsync(browsers, Page, options.GrowthRate, options.WarmUp);
            var (before, loadBefore) = await ProcessLoad.MeasureAsync(() => PacedLoad.RunForAsync(browsers, Page, options.GrowthRate, options.GrowthWindow));
            var count = options.OutboxNotifications;
            SessionSeeder.QueueNotifications(host.DatabasePath, count, IdpServer.ClientId);
            var watch = Stopwatch.StartNew();
            var ((during, delivered), loadDuring) = await ProcessLoad.MeasureAsync(() => PacedLoad.RunWhileAsync(browsers, Page, options.GrowthRate, async () =>
            {
                // Until all arrived and the sender recorded them (no pending row left), or nothing arrived for 30 s (failed
                // attempts wait 10 s and more before the next).
                var last = 0L;
                var progressAt = watch.Elapsed;
                while (true)
                {
                    var received = receiver.Received;
                    if (received >= count && SessionSeeder.Count(host.DatabasePath, "MultiSessionLogoutNotifications", "\"Status\" = 0") == 0)
                    {
                        return received;
                    }

                    if (received != last)
                    {
                        last = received;
                        progressAt = watch.Elapsed;
                    }
                    else if (watch.Elapsed - progressAt > TimeSpan.FromSeconds(30))
                    {
                        return received;
                    }

                    await Task.Delay(received >= count ? 50 : 10);
                }
            }));
            var time = watch.Elapsed;
            var failures = SessionSeeder.Count(host.DatabasePath, "MultiSessionLogoutNotifications", "\"LastError\" IS NOT NULL");
            var pending = SessionSeeder.Count(host.DatabasePath, "MultiSessionLogoutNotifications", "\"Status\" = 0");
            var recorded = SessionSeeder.Count(host.DatabasePath, "MultiSessionLogoutNotifications", "\"Status\" = 1");
            var note = (pending == 0 ? string.Empty : $"{pending:N0} notifications still pending when the measurement ended. ")
                       + (recorded == delivered ? string.Empty : $"{recorded:N0} recorded as delivered, {delivered:N0} received.");
            result.Jobs.Add(new GrowthJobRow("outbox delivery to a local receiver (BackChannelLogoutSender, default settings)", count, delivered, count, failures, time, before, during, note)
            {
                LoadBefore = loadBefore,
                LoadDuring = loadDuring,
            });
            BenchProgram.Progress($"growth outbox: {delivered:N0} of {count:N0} delivered in {time.TotalSeconds:0.0} s, {failures} failed attempts, page p95 {before.P95:0.00} ms before, {during.P95:0.00} ms during");
        }
        finally
        {
            Dispose(browsers);
        }
    }

    private static async Task<List<VirtualBrowser>> SignInAsync(Uri address, int count)
    {
        var browsers = new List<VirtualBrowser>();
        for (var i = 0; i < count; i++)
        {
            var browser = new VirtualBrowser(address);
            browsers.Add(browser);
            await browser.SignInAsync(DemoUsers.All[i % DemoUsers.All.Count].UserName, DemoUsers.Password);
        }

        return browsers;
    }

    /// <summary>Each browser requests the authenticated page <paramref name="perBrowser"/> times, all browsers at once.</summary>
    private static async Task<(int Requests, int Errors)> RequestPagesAsync(IReadOnlyList<VirtualBrowser> browsers, int perBrowser)
    {
        var requests = 0;
        var errors = 0;
        await Task.WhenAll(browsers.Select(browser => Task.Run(async () =>
        {
            for (var i = 0; i < perBrowser; i++)
            {
                if (await browser.ProfileAsync())
                {
                    Interlocked.Increment(ref requests);
                }
                else
                {
                    Interlocked.Increment(ref errors);
                }
            }
        })));
        return (requests, errors);
    }

    private static void Dispose(IEnumerable<VirtualBrowser> browsers)
    {
        foreach (var browser in browsers)
        {
            browser.Dispose();
        }
    }
}
