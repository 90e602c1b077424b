using System.Diagnostics;
using IdpHost.Data;

namespace MultiSession.Bench;

/// <summary>
/// Compares the IdP with multi-session against the stock single-account set-up (Identity's application cookie), side by side
/// in one run, and measures that multi-session's per-request cost stays flat with the accounts on a browser and the sessions
/// stored. Prints a Markdown table and the budgets of issue 6.
/// </summary>
internal static class BenchProgram
{
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
                 $"{options.Duration.TotalSeconds:0.#} s per scenario and setup in {options.Rounds} interleaved slice(s)");

        // The baseline, the multi-session host, and for the storage scenarios one multi-session host per larger number of
        // sessions stored (so that every comparison can interleave its setups in time, like the others).
        var stored = options.StoredSessions.Order().ToList();
        var runsStored = options.Runs("stored");
        using var baseline = new IdpServer("baseline", multiSession: false, directory);
        using var multi = new IdpServer("multisession", multiSession: true, directory);
        var storageHosts = (runsStored ? stored.Skip(1) : []).Select(n => (Sessions: n, Server: new IdpServer($"multisession-{n}", multiSession: true, directory))).ToList();
        try
        {
            Progress($"baseline host (stock Identity cookie) on {baseline.Start()}");
            Progress($"multi-session host on {multi.Start()}");
            foreach (var (sessions, server) in storageHosts)
            {
                Progress($"multi-session host for {FormatCount(sessions)} sessions stored on {server.Start()}");
            }

            // Virtual browsers, signed in through the login form: one account each on the baseline (it holds only one), and
            // 1, 3 and 5 accounts on the multi-session host; 1 account on each storage host.
            var timer = Stopwatch.StartNew();
            var baselineBrowsers = await SignInBrowsersAsync(baseline, options.Browsers, accounts: 1);
            var multi1 = await SignInBrowsersAsync(multi, options.Browsers, accounts: 1);
            var multi3 = await SignInBrowsersAsync(multi, options.Browsers, accounts: 3);
            var multi5 = await SignInBrowsersAsync(multi, options.Browsers, accounts: 5);
            foreach (var browser in multi5)
            {
                await browser.LoadSessionTokensAsync();
            }

            var storageBrowsers = new List<List<VirtualBrowser>>();
            foreach (var (_, server) in storageHosts)
            {
                storageBrowsers.Add(await SignInBrowsersAsync(server, options.Browsers, accounts: 1));
            }

            foreach (var browser in baselineBrowsers.Concat(multi1))
            {
                using var tokens = await browser.CodeFlowAsync(browser.NextLoginHint())
                    ?? throw new InvalidOperationException("The first code flow of a browser failed.");
                browser.RefreshToken = tokens.RootElement.GetProperty("refresh_token").GetString();
            }

            Progress($"{options.Browsers * (10 + storageHosts.Count)} sign-ins through the login form and first tokens in {timer.Elapsed.TotalSeconds:0.0} s");

            // Sessions of other browsers, inserted in bulk (not measured).
            Seed(multi, stored[0]);
            foreach (var (sessions, server) in storageHosts)
            {
                Seed(server, sessions);
            }

            Func<VirtualBrowser, Task<bool>> flow = b => Completed(b.CodeFlowAsync(b.NextLoginHint()));
            Func<VirtualBrowser, Task<bool>> page = b => b.ProfileAsync();

            // 1. Paired scenarios: the same work on both hosts.
            foreach (var (part, scenario, operation) in new (string, string, Func<VirtualBrowser, Task<bool>>)[]
                     {
                         ("flow", Flow, flow),
                         ("refresh", Refresh, b => b.RefreshAsync()),
                         ("page", Page, page),
                     })
            {
                if (options.Runs(part))
                {
                    await CompareAsync(report, options, scenario, operation, "paired",
                    [
                        ("baseline: stock Identity cookie, 1 account", part + ":baseline", baselineBrowsers),
                        ("multi-session, 1 account per browser", part + ":multi", multi1),
                    ]);
                }
            }

            // 2. Accounts on a browser: 1, 3, 5 (the login_hint names each of the browser's accounts in turn).
            foreach (var (part, scenario, operation) in new[] { ("page", Page, page), ("flow", Flow, flow) })
            {
                if (options.Runs("accounts"))
                {
                    await CompareAsync(report, options, scenario, operation, "accounts",
                    [
                        ("multi-session, 1 account per browser", part + "@1", multi1),
                        ("multi-session, 3 accounts per browser", part + "@3", multi3),
                        ("multi-session, 5 accounts per browser", part + "@5", multi5),
                    ]);
                }
            }

            // 3. Sessions stored in the database: the authenticated page at each size, the code flow at the smallest and largest.
            if (runsStored)
            {
                var sizes = new List<(string Setup, string Key, IReadOnlyList<VirtualBrowser> Browsers)>
                {
                    ($"multi-session, {FormatCount(SessionSeeder.CountSessions(multi.DatabasePath))} sessions stored", $"page@{stored[0]}", multi1),
                };
                for (var i = 0; i < storageHosts.Count; i++)
                {
                    var count = SessionSeeder.CountSessions(storageHosts[i].Server.DatabasePath);
                    sizes.Add(($"multi-session, {FormatCount(count)} sessions stored", $"page@{storageHosts[i].Sessions}", storageBrowsers[i]));
                }

                await CompareAsync(report, options, Page, page, "stored", sizes);
                if (sizes.Count > 1)
                {
                    await CompareAsync(report, options, Flow, flow, "stored",
                    [
                        (sizes[0].Setup, $"flow@{stored[0]}", sizes[0].Browsers),
                        (sizes[^1].Setup, $"flow@{stored[^1]}", sizes[^1].Browsers),
                    ]);
                }
            }

            // 4. Account switching throughput, on the browsers holding 5 accounts.
            if (options.Runs("switch"))
            {
                var switching = await MeasureAsync(options, multi5, b => b.SwitchAccountAsync(), options.Duration);
                report.Add(new Row(Switch, "multi-session, 5 accounts per browser", switching) { Group = "switch", Key = "switch" });
                Progress(report.Last);
            }

            foreach (var browser in baselineBrowsers.Concat(multi1).Concat(multi3).Concat(multi5).Concat(storageBrowsers.SelectMany(b => b)))
            {
                browser.Dispose();
            }
        }
        finally
        {
            foreach (var (_, server) in storageHosts)
            {
                server.Dispose();
            }
        }
    }

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
        IReadOnlyList<(string Setup, string Key, IReadOnlyList<VirtualBrowser> Browsers)> setups)
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
            report.Add(new Row(scenario, setups[i].Setup, measurements[i]) { Group = group, Key = setups[i].Key });
            Progress(report.Last);
        }
    }

    private static async Task<Measurement> MeasureAsync(BenchOptions options, IReadOnlyList<VirtualBrowser> browsers, Func<VirtualBrowser, Task<bool>> operation, TimeSpan duration)
    {
        var measurement = new Measurement();
        await LoadRunner.RunAsync(browsers, operation, options.WarmUp, duration, measurement);
        return measurement;
    }

    private static async Task<List<VirtualBrowser>> SignInBrowsersAsync(IdpServer server, int count, int accounts)
    {
        var browsers = Enumerable.Range(0, count).Select(_ => new VirtualBrowser(server.BaseAddress)).ToList();
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

    internal static string FormatCount(long count) => count switch
    {
        >= 1_000_000 when count % 1_000_000 == 0 => $"{count / 1_000_000}M",
        >= 1_000 when count % 1_000 == 0 => $"{count / 1_000}k",
        _ => count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture),
    };

    private static void Progress(string message) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");

    private static void Progress(Row row) => Progress(
        $"{row.Scenario} | {row.Setup}: {row.Result.OperationsPerSecond:0.0} ops/s, p50 {row.Result.P50:0.00} ms, p95 {row.Result.P95:0.00} ms, " +
        $"p99 {row.Result.P99:0.00} ms, {row.Result.Errors} errors");
}
