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
                Console.WriteLine(await HotPath.RunAsync(directory, options.HotPathIterations));
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
                 $"{options.Duration.TotalSeconds:0.#} s per scenario, {options.Rounds} round(s) for paired scenarios");

        using var baseline = new IdpServer("baseline", multiSession: false, directory);
        using var multi = new IdpServer("multisession", multiSession: true, directory);
        Progress($"baseline host (stock Identity cookie) on {baseline.Start()}");
        Progress($"multi-session host on {multi.Start()}");

        // Virtual browsers, signed in through the login form: one account each on the baseline (it holds only one), and
        // 1, 3 and 5 accounts on the multi-session host.
        var timer = Stopwatch.StartNew();
        var baselineBrowsers = await SignInBrowsersAsync(baseline, options.Browsers, accounts: 1);
        var multi1 = await SignInBrowsersAsync(multi, options.Browsers, accounts: 1);
        var multi3 = await SignInBrowsersAsync(multi, options.Browsers, accounts: 3);
        var multi5 = await SignInBrowsersAsync(multi, options.Browsers, accounts: 5);
        foreach (var browser in multi5)
        {
            await browser.LoadSessionTokensAsync();
        }

        foreach (var browser in baselineBrowsers.Concat(multi1))
        {
            using var tokens = await browser.CodeFlowAsync(browser.NextLoginHint())
                ?? throw new InvalidOperationException("The first code flow of a browser failed.");
            browser.RefreshToken = tokens.RootElement.GetProperty("refresh_token").GetString();
        }

        Progress($"{options.Browsers * 10} sign-ins through the login form and first tokens in {timer.Elapsed.TotalSeconds:0.0} s");

        var stored = options.StoredSessions.Order().ToList();
        Seed(multi, stored[0]);

        // 1. Paired scenarios: the same browsers' work on both hosts, alternating B M / M B to cancel drift.
        if (options.Runs("flow"))
        {
            await PairedAsync(report, Flow, options, baselineBrowsers, multi1, b => Completed(b.CodeFlowAsync(b.NextLoginHint())));
        }

        if (options.Runs("refresh"))
        {
            await PairedAsync(report, Refresh, options, baselineBrowsers, multi1, b => b.RefreshAsync());
        }

        if (options.Runs("page"))
        {
            await PairedAsync(report, Page, options, baselineBrowsers, multi1, b => b.ProfileAsync());
        }

        // 2. Accounts on a browser: 1, 3, 5 (the login_hint names each of the browser's accounts in turn).
        var accountScenarios = new (string, Func<VirtualBrowser, Task<bool>>)[]
        {
            (Page, b => b.ProfileAsync()),
            (Flow, b => Completed(b.CodeFlowAsync(b.NextLoginHint()))),
        };
        foreach (var (scenario, operation) in options.Runs("accounts") ? accountScenarios : [])
        {
            foreach (var (count, browsers) in new[] { (1, multi1), (3, multi3), (5, multi5) })
            {
                var measurement = await MeasureAsync(options, browsers, operation, options.Duration);
                report.Add(new Row(scenario, $"multi-session, {count} account{(count == 1 ? string.Empty : "s")} per browser", measurement)
                {
                    Group = "accounts",
                    Key = $"{KeyOf(scenario)}@{count}",
                });
                Progress(report.Last);
            }
        }

        // 3. Sessions stored in the database: the authenticated page (and the code flow at the smallest and largest sizes).
        for (var i = 0; i < stored.Count && options.Runs("stored"); i++)
        {
            if (i > 0)
            {
                Seed(multi, stored[i]);
            }

            var sessions = SessionSeeder.CountSessions(multi.DatabasePath);
            var page = await MeasureAsync(options, multi1, b => b.ProfileAsync(), options.Duration);
            report.Add(new Row(Page, $"multi-session, {FormatCount(sessions)} sessions stored", page) { Group = "stored", Key = $"page@{stored[i]}" });
            Progress(report.Last);
            if (i == 0 || i == stored.Count - 1)
            {
                var flow = await MeasureAsync(options, multi1, b => Completed(b.CodeFlowAsync(b.NextLoginHint())), options.Duration);
                report.Add(new Row(Flow, $"multi-session, {FormatCount(sessions)} sessions stored", flow) { Group = "stored", Key = $"flow@{stored[i]}" });
                Progress(report.Last);
            }
        }

        // 4. Account switching throughput, on the browsers holding 5 accounts.
        if (options.Runs("switch"))
        {
            var switching = await MeasureAsync(options, multi5, b => b.SwitchAccountAsync(), options.Duration);
            report.Add(new Row(Switch, "multi-session, 5 accounts per browser", switching) { Group = "switch", Key = "switch" });
            Progress(report.Last);
        }

        foreach (var browser in baselineBrowsers.Concat(multi1).Concat(multi3).Concat(multi5))
        {
            browser.Dispose();
        }
    }

    private static async Task PairedAsync(
        Report report,
        string scenario,
        BenchOptions options,
        IReadOnlyList<VirtualBrowser> baselineBrowsers,
        IReadOnlyList<VirtualBrowser> multiBrowsers,
        Func<VirtualBrowser, Task<bool>> operation)
    {
        var onBaseline = new Measurement();
        var onMulti = new Measurement();
        var slice = options.Duration / options.Rounds;
        for (var round = 0; round < options.Rounds; round++)
        {
            // B M, then M B, ...
            var baselineFirst = round % 2 == 0;
            for (var half = 0; half < 2; half++)
            {
                var isBaseline = (half == 0) == baselineFirst;
                await LoadRunner.RunAsync(isBaseline ? baselineBrowsers : multiBrowsers, operation, options.WarmUp, slice, isBaseline ? onBaseline : onMulti);
            }
        }

        var key = KeyOf(scenario);
        report.Add(new Row(scenario, "baseline: stock Identity cookie, 1 account", onBaseline) { Group = "paired", Key = key + ":baseline" });
        Progress(report.Last);
        report.Add(new Row(scenario, "multi-session, 1 account per browser", onMulti) { Group = "paired", Key = key + ":multi" });
        Progress(report.Last);
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

    private static string KeyOf(string scenario) => scenario switch
    {
        Flow => "flow",
        Refresh => "refresh",
        Page => "page",
        _ => "switch",
    };

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
