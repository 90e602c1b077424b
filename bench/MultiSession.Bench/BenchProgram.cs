using System.Diagnostics;
using IdpHost.Data;
using Microsoft.Extensions.DependencyInjection;

namespace MultiSession.Bench;

/// <summary>
/// Compares the IdP with multi-session against the stock single-account set-up (Identity's application cookie), side by side
/// in one run, and measures that multi-session's per-request cost stays flat with the accounts on a browser and the sessions
/// stored. Prints a Markdown table and the budgets of issue 6.
/// </summary>
internal static class BenchProgram
{
    /// <summary>One setup of a comparison: its label, report key, browsers, database and number of instances.</summary>
    private sealed record Setup(string Name, string Key, IReadOnlyList<VirtualBrowser> Browsers, string Database, int Instances);

    private const string Flow = "authorize + token (code flow, PKCE, login_hint)";
    private const string Refresh = "refresh-token grant";
    private const string Page = "authenticated page (GET /Account/Profile)";
    private const string Switch = "switch account (POST /multi-session/set-active)";

    public static async Task<int> Main(string[] args)
    {
        BenchOptions options;
        try
        {
            options = BenchOptions.Parse(args);
        }
        catch (Exception exception) when (exception is ArgumentException or FormatException)
        {
            await Console.Error.WriteLineAsync(exception.Message);
            return 2;
        }

        // WebApplicationFactory finds the IdpHost's content root through MvcTestingAppManifest.json in the current folder.
        if (options.Output is { } outputPath)
        {
            options = options with { Output = Path.GetFullPath(outputPath) };
        }

        options = options with { RepositoryRoot = FindRepositoryRoot(Directory.GetCurrentDirectory()) ?? FindRepositoryRoot(AppContext.BaseDirectory) ?? options.RepositoryRoot };
        if (options.Soak is not null)
        {
            return await SoakRun.RunAsync(options);
        }

        Directory.SetCurrentDirectory(AppContext.BaseDirectory);
        var total = Stopwatch.StartNew();
        var directory = Path.Combine(Path.GetTempPath(), "multisession-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var report = new Report(options, Machine.Describe());
        try
        {
            if (options.HotPath)
            {
                Console.WriteLine(await HotPath.RunAsync(directory, options.HotPathIterations, options.HotPathThreads));
                return 0;
            }

            await RunAsync(options, directory, report);
        }
        finally
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // A file still open; the temporary folder is cleaned by the system.
            }
        }

        report.Elapsed = total.Elapsed;
        report.LoadAfter = Machine.LoadAverage();
        var markdown = report.ToMarkdown();
        Console.WriteLine();
        Console.WriteLine(markdown);
        if (options.Output is { } output)
        {
            await File.WriteAllTextAsync(output, markdown);
        }

        return 0;
    }

    private static async Task RunAsync(BenchOptions options, string directory, Report report)
    {
        Progress($"process {Environment.ProcessId}, {(options.Quick ? "quick" : "full")} run: {options.Browsers} browsers, {options.WarmUp.TotalSeconds:0.#} s warm-up, " +
                 $"{options.Duration.TotalSeconds:0.#} s per scenario and setup in {options.Rounds} interleaved slice(s), on {string.Join(" and ", options.Databases)}");
        foreach (var database in options.Only.Any(p => p != "growth") ? options.Databases : [])
        {
            if (database == "sqlite")
            {
                await RunOnDatabaseAsync(options, directory, report, postgres: null);
                continue;
            }

            using var postgres = BenchPostgres.Start(options.ConnectionString, options.RepositoryRoot);
            Progress($"PostgreSQL: {postgres.Description}");
            await RunOnDatabaseAsync(options, directory, report, postgres);
        }

        // Costs that grow with the work: memory, allocations, the cleanup and the outbox (SQLite).
        if (options.Runs("growth"))
        {
            report.Growth = await Growth.RunAsync(options, directory);
        }
    }

    /// <summary>
    /// The setups on one database: the stateless baseline, the server-side-session peer, multi-session (query per request) and
    /// multi-session with the lookup cache, one instance each; on PostgreSQL also multi-session (with and without the cache) on
    /// two instances sharing one database, and the propagation delay of a revocation between those two. On SQLite also the
    /// accounts, stored-sessions and switching scenarios.
    /// </summary>
    private static async Task RunOnDatabaseAsync(BenchOptions options, string directory, Report report, BenchPostgres? postgres)
    {
        var db = postgres is null ? "SQLite" : "PostgreSQL";
        var suffix = postgres is null ? "sqlite" : "pg";
        IdpServer Host(string name, HostKind kind, string? shared = null) =>
            new($"{name}-{suffix}", kind, directory, postgres is null ? null : shared ?? postgres.NewDatabase(name));

        var stored = options.StoredSessions.Order().ToList();
        var runsStored = postgres is null && options.Runs("stored");
        var hosts = new List<IdpServer>();
        try
        {
            var baseline = Add(hosts, Host("baseline", HostKind.Baseline));
            var peer = Add(hosts, Host("peer", HostKind.Peer));
            var multi = Add(hosts, Host("multisession", HostKind.MultiSession));
            var cached = Add(hosts, Host("cached", HostKind.MultiSessionCached));
            IdpServer[] multiPair = [], cachedPair = [];
            if (postgres is not null)
            {
                var pairDatabase = postgres.NewDatabase("multisession2");
                multiPair = [Add(hosts, Host("multisession-a", HostKind.MultiSession, pairDatabase)), Add(hosts, Host("multisession-b", HostKind.MultiSession, pairDatabase))];
                var cachedDatabase = postgres.NewDatabase("cached2");
                cachedPair = [Add(hosts, Host("cached-a", HostKind.MultiSessionCached, cachedDatabase)), Add(hosts, Host("cached-b", HostKind.MultiSessionCached, cachedDatabase))];
            }

            var storageHosts = (runsStored ? stored.Skip(1) : []).Select(n => (Sessions: n, Server: Add(hosts, Host($"multisession-{n}", HostKind.MultiSession)))).ToList();
            foreach (var host in hosts)
            {
                // Instances sharing a database start one after the other (the first migrates it).
                Progress($"{host.Name} ({host.Kind}, {host.Database}) on {host.Start()}");
            }

            // Virtual browsers, signed in through the login form: one account each (the baseline and the peer hold only one),
            // and 3 and 5 accounts on the multi-session host; browsers of a pair spread over its two instances.
            var timer = Stopwatch.StartNew();
            var baselineBrowsers = await SignInBrowsersAsync([baseline], options.Browsers, accounts: 1);
            var peerBrowsers = await SignInBrowsersAsync([peer], options.Browsers, accounts: 1);
            var multi1 = await SignInBrowsersAsync([multi], options.Browsers, accounts: 1);
            var cached1 = await SignInBrowsersAsync([cached], options.Browsers, accounts: 1);
            var multiPairBrowsers = multiPair.Length == 0 ? [] : await SignInBrowsersAsync(multiPair, options.Browsers, accounts: 1);
            var cachedPairBrowsers = cachedPair.Length == 0 ? [] : await SignInBrowsersAsync(cachedPair, options.Browsers, accounts: 1);
            var runsAccounts = postgres is null && options.Runs("accounts");
            var runsSwitch = postgres is null && options.Runs("switch");
            var multi3 = runsAccounts ? await SignInBrowsersAsync([multi], options.Browsers, accounts: 3) : [];
            var multi5 = runsAccounts || runsSwitch ? await SignInBrowsersAsync([multi], options.Browsers, accounts: 5) : [];
            foreach (var browser in multi5)
            {
                await browser.LoadSessionTokensAsync();
            }

            var storageBrowsers = new List<List<VirtualBrowser>>();
            foreach (var (_, server) in storageHosts)
            {
                storageBrowsers.Add(await SignInBrowsersAsync([server], options.Browsers, accounts: 1));
            }

            foreach (var browser in baselineBrowsers.Concat(peerBrowsers).Concat(multi1).Concat(multiPairBrowsers))
            {
                using var tokens = await browser.CodeFlowAsync(browser.NextLoginHint())
                    ?? throw new InvalidOperationException("The first code flow of a browser failed.");
                browser.RefreshToken = tokens.RootElement.GetProperty("refresh_token").GetString();
            }

            Progress($"sign-ins through the login form and first tokens in {timer.Elapsed.TotalSeconds:0.0} s");

            // 0. The SQL commands per operation, one browser and one host at a time (before any session is seeded).
            if (options.Runs("queries"))
            {
                report.QueryTables.Add(await QueryCount.RunAsync(db, options.QueryOperations,
                [
                    new("baseline", baseline, baselineBrowsers[0]),
                    new("peer", peer, peerBrowsers[0]),
                    new("multi-session (query per request)", multi, multi1[0]),
                    new("multi-session + lookup cache", cached, cached1[0]),
                ]));
            }

            // Sessions of other browsers, inserted in bulk (not measured; SQLite).
            if (runsStored)
            {
                Seed(multi, stored[0]);
                foreach (var (sessions, server) in storageHosts)
                {
                    Seed(server, sessions);
                }
            }

            Func<VirtualBrowser, Task<bool>> flow = b => Completed(b.CodeFlowAsync(b.NextLoginHint()));
            Func<VirtualBrowser, Task<bool>> page = b => b.ProfileAsync();

            // 1. Paired scenarios: the same work on every setup (the lookup cache serves pages only: not in the code flow or refresh).
            foreach (var (part, scenario, operation) in new (string, string, Func<VirtualBrowser, Task<bool>>)[]
                     {
                         ("flow", Flow, flow),
                         ("refresh", Refresh, b => b.RefreshAsync()),
                         ("page", Page, page),
                     })
            {
                if (!options.Runs(part))
                {
                    continue;
                }

                var setups = new List<Setup>
                {
                    new("baseline: stock Identity cookie (stateless), 1 account", Key(part, "baseline", db, 1), baselineBrowsers, db, 1),
                    new("peer: stock cookie + EF Core ticket store (server-side session), 1 account", Key(part, "peer", db, 1), peerBrowsers, db, 1),
                    new("multi-session, 1 account per browser", Key(part, "multi", db, 1), multi1, db, 1),
                };
                if (part == "page")
                {
                    setups.Add(new("multi-session + lookup cache, 1 account per browser", Key(part, "cached", db, 1), cached1, db, 1));
                }

                if (multiPairBrowsers.Count > 0)
                {
                    setups.Add(new("multi-session, 1 account per browser", Key(part, "multi", db, 2), multiPairBrowsers, db, 2));
                    if (part == "page")
                    {
                        setups.Add(new("multi-session + lookup cache, 1 account per browser", Key(part, "cached", db, 2), cachedPairBrowsers, db, 2));
                    }
                }

                await CompareAsync(report, options, scenario, operation, "paired", setups);
            }

            // 2. Accounts on a browser: 1, 3, 5 (the login_hint names each of the browser's accounts in turn).
            foreach (var (part, scenario, operation) in new[] { ("page", Page, page), ("flow", Flow, flow) })
            {
                if (runsAccounts)
                {
                    await CompareAsync(report, options, scenario, operation, "accounts",
                    [
                        new("multi-session, 1 account per browser", part + "@1", multi1, db, 1),
                        new("multi-session, 3 accounts per browser", part + "@3", multi3, db, 1),
                        new("multi-session, 5 accounts per browser", part + "@5", multi5, db, 1),
                    ]);
                }
            }

            // 3. Sessions stored in the database: the authenticated page at each size, the code flow at the smallest and largest.
            if (runsStored)
            {
                var sizes = new List<Setup>
                {
                    new($"multi-session, {FormatCount(SessionSeeder.CountSessions(multi.DatabasePath))} sessions stored", $"page@{stored[0]}", multi1, db, 1),
                };
                for (var i = 0; i < storageHosts.Count; i++)
                {
                    var count = SessionSeeder.CountSessions(storageHosts[i].Server.DatabasePath);
                    sizes.Add(new($"multi-session, {FormatCount(count)} sessions stored", $"page@{storageHosts[i].Sessions}", storageBrowsers[i], db, 1));
                }

                await CompareAsync(report, options, Page, page, "stored", sizes);
                if (sizes.Count > 1)
                {
                    await CompareAsync(report, options, Flow, flow, "stored",
                    [
                        sizes[0] with { Key = $"flow@{stored[0]}" },
                        sizes[^1] with { Key = $"flow@{stored[^1]}" },
                    ]);
                }
            }

            // 4. Account switching throughput, on the browsers holding 5 accounts.
            if (runsSwitch)
            {
                var switching = await MeasureAsync(options, multi5, b => b.SwitchAccountAsync(), options.Duration);
                report.Add(new Row(Switch, "multi-session, 5 accounts per browser", switching) { Group = "switch", Key = "switch", Database = db, Instances = 1 });
                Progress(report.Last);
            }

            // 5. How late another instance refuses a revoked session when its lookup cache is on.
            if (cachedPair.Length == 2)
            {
                report.Propagation = await Propagation.MeasureAsync(cachedPair[0], cachedPair[1], options.PropagationTrials, Progress);
                Progress(report.Propagation.Summary);
            }

            foreach (var browser in baselineBrowsers.Concat(peerBrowsers).Concat(multi1).Concat(cached1).Concat(multiPairBrowsers).Concat(cachedPairBrowsers)
                         .Concat(multi3).Concat(multi5).Concat(storageBrowsers.SelectMany(b => b)).Distinct())
            {
                browser.Dispose();
            }

            report.AddCacheStatistics(db, hosts.Where(h => h.Kind == HostKind.MultiSessionCached).Select(h => h.Services.GetRequiredService<IdentityServer.MultiSession.Storage.DeviceLookupCache>()).ToList());
        }
        finally
        {
            foreach (var host in hosts)
            {
                host.Dispose();
            }
        }
    }

    private static IdpServer Add(List<IdpServer> hosts, IdpServer host)
    {
        hosts.Add(host);
        return host;
    }

    private static string Key(string part, string kind, string database, int instances) => $"{part}:{kind}@{database}x{instances}";

    /// <summary>
    /// Measures one operation on several setups, interleaved in time: each setup warmed up, then <see cref="BenchOptions.Rounds"/>
    /// rounds in which every setup runs a slice (in reverse order every other round: A B C, C B A, ...), so that a change of the
    /// machine's load (other processes) falls on every setup alike. The slices of a setup are pooled into one measurement.
    /// </summary>
    private static async Task CompareAsync(
        Report report,
        BenchOptions options,
        string scenario,
        Func<VirtualBrowser, Task<bool>> operation,
        string group,
        IReadOnlyList<Setup> setups)
    {
        foreach (var setup in setups)
        {
            await LoadRunner.RunAsync(setup.Browsers, operation, options.WarmUp, TimeSpan.Zero, new Measurement());
        }

        var measurements = setups.Select(_ => new Measurement()).ToList();
        var slice = options.Duration / options.Rounds;
        var rewarm = TimeSpan.FromSeconds(Math.Min(0.5, options.WarmUp.TotalSeconds));
        for (var round = 0; round < options.Rounds; round++)
        {
            var order = Enumerable.Range(0, setups.Count);
            foreach (var i in round % 2 == 0 ? order : order.Reverse())
            {
                await LoadRunner.RunAsync(setups[i].Browsers, operation, rewarm, slice, measurements[i]);
            }
        }

        for (var i = 0; i < setups.Count; i++)
        {
            report.Add(new Row(scenario, setups[i].Name, measurements[i]) { Group = group, Key = setups[i].Key, Database = setups[i].Database, Instances = setups[i].Instances });
            Progress(report.Last);
        }
    }

    private static async Task<Measurement> MeasureAsync(BenchOptions options, IReadOnlyList<VirtualBrowser> browsers, Func<VirtualBrowser, Task<bool>> operation, TimeSpan duration)
    {
        var measurement = new Measurement();
        await LoadRunner.RunAsync(browsers, operation, options.WarmUp, duration, measurement);
        return measurement;
    }

    private static async Task<List<VirtualBrowser>> SignInBrowsersAsync(IReadOnlyList<IdpServer> servers, int count, int accounts)
    {
        // Browser i uses instance i mod n for all its requests (sticky, as with a load balancer's affinity: each instance has
        // its own ephemeral signing keys, so tokens stay with the instance that issued them).
        var browsers = Enumerable.Range(0, count).Select(i => new VirtualBrowser(servers[i % servers.Count].BaseAddress)).ToList();
        using var gate = new SemaphoreSlim(Environment.ProcessorCount);
        await Task.WhenAll(browsers.Select(async (browser, index) =>
        {
            await gate.WaitAsync();
            try
            {
                for (var k = 0; k < accounts; k++)
                {
                    var user = DemoUsers.All[(index + k) % DemoUsers.All.Count].UserName;
                    await browser.SignInAsync(user, DemoUsers.Password);
                }
            }
            finally
            {
                gate.Release();
            }
        }));
        return browsers;
    }

    private static void Seed(IdpServer server, long target)
    {
        var before = SessionSeeder.CountSessions(server.DatabasePath);
        var took = SessionSeeder.SeedTo(server.DatabasePath, target);
        Progress($"seeded {FormatCount(target - before)} sessions (now {FormatCount(SessionSeeder.CountSessions(server.DatabasePath))} stored) in {took.TotalSeconds:0.0} s, not measured");
    }

    private static async Task<bool> Completed(Task<System.Text.Json.JsonDocument?> flow)
    {
        using var tokens = await flow;
        return tokens is not null;
    }

    private static string? FindRepositoryRoot(string from)
    {
        for (var directory = new DirectoryInfo(from); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, ".ci", "start-postgres")))
            {
                return directory.FullName;
            }
        }

        return null;
    }

    internal static string FormatCount(long count) => count switch
    {
        >= 1_000_000 when count % 1_000_000 == 0 => $"{count / 1_000_000}M",
        >= 1_000 when count % 1_000 == 0 => $"{count / 1_000}k",
        _ => count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture),
    };

    internal static void Progress(string message) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");

    private static void Progress(Row row) => Progress(
        $"{row.Scenario} | {row.Setup}: {row.Result.OperationsPerSecond:0.0} ops/s, p50 {row.Result.P50:0.00} ms, p95 {row.Result.P95:0.00} ms, " +
        $"p99 {row.Result.P99:0.00} ms, {row.Result.Errors} errors");
}
