using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace MultiSession.Bench;

/// <summary>One line of the table.</summary>
internal sealed record Row(string Scenario, string Setup, Measurement Result)
{
    public string Group { get; init; } = string.Empty;

    public string Key { get; init; } = string.Empty;

    public string Database { get; init; } = "SQLite";

    public int Instances { get; init; } = 1;
}

/// <summary>The Markdown table, and each budget of issue 6 with its measured ratio.</summary>
internal sealed class Report(BenchOptions options, string machine)
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;
    private readonly List<Row> _rows = [];
    private readonly string _loadBefore = Machine.LoadAverage();

    public Row Last => _rows[^1];

    public TimeSpan Elapsed { get; set; }

    public string LoadAfter { get; set; } = string.Empty;

    public void Add(Row row) => _rows.Add(row);

    /// <summary>The revocation propagation delay between two instances (PostgreSQL), when measured.</summary>
    public PropagationResult? Propagation { get; set; }

    private readonly List<string> _cacheLines = [];

    /// <summary>The queries part's Markdown tables, one per database, when measured.</summary>
    public List<string> QueryTables { get; } = [];

    /// <summary>The growth part's figures, when measured.</summary>
    public GrowthResult? Growth { get; set; }

    public void AddCacheStatistics(string database, IReadOnlyList<IdentityServer.MultiSession.Storage.DeviceLookupCache> caches)
    {
        if (caches.Count == 0)
        {
            return;
        }

        long hits = caches.Sum(c => c.Hits), misses = caches.Sum(c => c.Misses);
        _cacheLines.Add(string.Create(Invariant,
            $"lookup cache on {database} ({caches.Count} host(s)): {hits:N0} hits, {misses:N0} misses ({(hits + misses == 0 ? 0 : 100.0 * hits / (hits + misses)):0.0} % hits), {caches.Sum(c => c.Invalidations):N0} invalidations"));
    }

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine(Invariant, $"MultiSession.Bench, {(options.Quick ? "quick" : "full")} run of {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Elapsed.TotalSeconds:0} s in all.");
        text.AppendLine(Invariant, $"Machine: {machine}. Load average before: {_loadBefore}; after: {LoadAfter}.");
        var rounds = options.Rounds > 1 ? $" (paired scenarios: {options.Rounds} rounds alternating baseline and multi-session)." : ".";
        text.AppendLine(Invariant, $"{options.Browsers} virtual browsers at once, one request in flight each; {options.WarmUp.TotalSeconds:0.#} s warm-up, {options.Duration.TotalSeconds:0.#} s measured per scenario and setup{rounds}");
        text.AppendLine("An operation of the code flow is two requests (authorize, then token); the others are one request. Latencies in milliseconds.");
        if (_rows.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("| scenario | setup | database | instances | ops/s | p50 | p95 | p99 | errors | ratio |");
            text.AppendLine("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        }

        foreach (var row in _rows)
        {
            var r = row.Result;
            text.AppendLine(Invariant, $"| {row.Scenario} | {row.Setup} | {row.Database} | {row.Instances} | {r.OperationsPerSecond:0.0} | {r.P50:0.00} | {r.P95:0.00} | {r.P99:0.00} | {r.Errors} | {RatioOf(row)} |");
        }

        foreach (var table in QueryTables)
        {
            text.Append(table);
        }

        if (Growth is { } growth)
        {
            text.Append(growth.ToMarkdown());
        }

        if (Propagation is { } propagation)
        {
            text.AppendLine();
            text.AppendLine("| revocation propagation, revoke on A until B refuses (PostgreSQL, 2 instances, lookup cache on) | trials | p50 ms | p99 ms | max ms | A refused at once | B served from cache before |");
            text.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
            text.AppendLine(Invariant, $"| LISTEN/NOTIFY, fallback bound {propagation.Bound.TotalMilliseconds:0} ms | {propagation.Trials} | {propagation.Percentile(0.5):0.0} | {propagation.Percentile(0.99):0.0} | {propagation.Percentile(1):0.0} | {propagation.RefusedAtOnceOnRevokingInstance}/{propagation.Trials} | {propagation.ServedFromCacheBeforeRevoke}/{propagation.Trials} |");
        }

        foreach (var line in _cacheLines)
        {
            text.AppendLine();
            text.AppendLine(line);
        }

        text.AppendLine();
        text.AppendLine("Budgets:");
        text.AppendLine();
        foreach (var line in Budgets())
        {
            text.AppendLine("- " + line);
        }

        return text.ToString();
    }

    private string RatioOf(Row row)
    {
        switch (row.Group)
        {
            case "paired" when !row.Key.Contains(":baseline@", StringComparison.Ordinal):
                var baseline = Find(Paired(row.Key, "baseline", row.Database, 1));
                var peer = Find(Paired(row.Key, "peer", row.Database, 1));
                if (baseline is null)
                {
                    return string.Empty;
                }

                var ratio = $"{Throughput(row, baseline):0.00} × baseline";
                return peer is null || peer == row ? ratio : ratio + $", {Throughput(row, peer):0.00} × peer";
            case "accounts" when !row.Key.EndsWith("@1", StringComparison.Ordinal):
                var one = Find(row.Key[..row.Key.IndexOf('@', StringComparison.Ordinal)] + "@1");
                return one is null ? string.Empty : $"cost {Cost(row, one):0.00} × 1 account";
            case "stored":
                var smallest = _rows.FirstOrDefault(r => r.Group == "stored" && r.Scenario == row.Scenario);
                return smallest is null || smallest == row ? string.Empty : $"p95 {row.Result.P95 / smallest.Result.P95:0.00} × {Setup(smallest)}";
            default:
                return string.Empty;
        }
    }

    private static string Paired(string key, string kind, string database, int instances) =>
        $"{key[..key.IndexOf(':', StringComparison.Ordinal)]}:{kind}@{database}x{instances}";

    private IEnumerable<string> Budgets()
    {
        foreach (var database in _rows.Where(r => r.Group == "paired").Select(r => r.Database).Distinct())
        {
            Row? Get(string part, string kind, int instances = 1) => Find($"{part}:{kind}@{database}x{instances}");
            if (Get("page", "multi") is { } pageMulti && Get("page", "peer") is { } pagePeer)
            {
                var ratio = Throughput(pageMulti, pagePeer);
                yield return Verdict($"{database}: authenticated page, multi-session (query per request) ÷ server-side-session peer = {ratio:0.00} (budget ≥ 1.00)", ratio >= 1.0);
            }

            if (Get("page", "cached") is { } pageCached && Get("page", "peer") is { } peer2)
            {
                var ratio = Throughput(pageCached, peer2);
                yield return Verdict($"{database}: authenticated page, multi-session + lookup cache ÷ server-side-session peer = {ratio:0.00} (budget ≥ 1.00)", ratio >= 1.0);
            }

            if (Get("page", "cached") is { } cachedPage && Get("page", "baseline") is { } pageBaseline)
            {
                var ratio = Throughput(cachedPage, pageBaseline);
                yield return Verdict($"{database}: authenticated page, multi-session + lookup cache ÷ stateless baseline = {ratio:0.00} (goal ≥ 0.90)", ratio >= 0.9);
            }

            if (Get("page", "multi") is { } queryPage && Get("page", "baseline") is { } baselinePage)
            {
                var ratio = Throughput(queryPage, baselinePage);
                yield return Verdict($"{database}: authenticated page, multi-session (query per request) ÷ stateless baseline = {ratio:0.00} (budget ≥ 0.90)", ratio >= 0.9);
            }

            if (Get("flow", "multi") is { } flowMulti && Get("flow", "baseline") is { } flowBaseline)
            {
                var ratio = Throughput(flowMulti, flowBaseline);
                yield return Verdict($"{database}: authorize + token, multi-session ÷ stateless baseline = {ratio:0.00} (budget ≥ 0.95)", ratio >= 0.95);
            }

            if (Get("refresh", "multi") is { } refreshMulti && Get("refresh", "baseline") is { } refreshBaseline)
            {
                var ratio = Throughput(refreshMulti, refreshBaseline);
                yield return Verdict($"{database}: refresh-token grant, multi-session ÷ stateless baseline = {ratio:0.00} (budget ≥ 0.95)", ratio >= 0.95);
            }

            foreach (var (part, kind) in new[] { ("page", "multi"), ("page", "cached"), ("flow", "multi") })
            {
                if (Get(part, kind, 2) is { } two && Get(part, kind) is { } one)
                {
                    yield return $"(no budget) {database}: {(part == "page" ? "authenticated page" : "authorize + token")}, {(kind == "cached" ? "multi-session + lookup cache" : "multi-session")}, 2 instances ÷ 1 instance = {Throughput(two, one):0.00} (one machine: the instances share its 2 cores)";
                }
            }
        }

        if (Propagation is { } propagation)
        {
            var p99 = propagation.Percentile(0.99);
            yield return Verdict(
                $"revocation on ordinary pages with the lookup cache: immediate on the revoking instance in {propagation.RefusedAtOnceOnRevokingInstance}/{propagation.Trials} " +
                $"(budget: all); on the other instance p50 {propagation.Percentile(0.5):0.0} ms, p99 {p99:0.0} ms, max {propagation.Percentile(1):0.0} ms " +
                $"(budget: p99 and max within the fallback bound, {propagation.Bound.TotalMilliseconds:0} ms)",
                propagation.RefusedAtOnceOnRevokingInstance == propagation.Trials && propagation.NotRefusedInTime == 0 && propagation.Percentile(1) <= propagation.Bound.TotalMilliseconds);
        }

        foreach (var scenario in new[] { "page", "flow" })
        {
            var stored = _rows.Where(r => r.Group == "stored" && r.Key.StartsWith(scenario + "@", StringComparison.Ordinal)).ToList();
            if (stored.Count >= 2)
            {
                var ratio = stored[^1].Result.P95 / stored[0].Result.P95;
                var line = $"{(scenario == "page" ? "authenticated page" : "authorize + token")} p95 at {Setup(stored[^1])} ÷ p95 at {Setup(stored[0])} = {ratio:0.00}";
                yield return scenario == "page" ? Verdict(line + " (budget ≤ 1.20)", ratio <= 1.2) : "(no budget) " + line;
            }
        }

        foreach (var line in Growth?.Budgets() ?? [])
        {
            yield return line;
        }

        foreach (var scenario in new[] { "page", "flow" })
        {
            var one = Find(scenario + "@1");
            var five = Find(scenario + "@5");
            if (one is not null && five is not null)
            {
                var ratio = Cost(five, one);
                yield return Verdict(
                    $"{(scenario == "page" ? "authenticated page" : "authorize + token")} cost with 5 accounts ÷ with 1 account = {ratio:0.00} " +
                    "(cost = 1 ÷ ops/s at the same concurrency; budget ≤ 1.10)",
                    ratio <= 1.1);
            }
        }
    }

    internal static string Verdict(string line, bool met) =>
        line.Contains("NaN", StringComparison.Ordinal) || line.Contains("∞", StringComparison.Ordinal)
            ? "**not measured** (no operation completed in a measured window: the machine was overloaded; run longer): " + line
            : (met ? "**met**: " : "**missed**: ") + line;

    private static double Throughput(Row row, Row reference) => row.Result.OperationsPerSecond / reference.Result.OperationsPerSecond;

    private static double Cost(Row row, Row reference) => reference.Result.OperationsPerSecond / row.Result.OperationsPerSecond;

    private static string Setup(Row row) => row.Setup.Replace("multi-session, ", string.Empty, StringComparison.Ordinal);

    private Row? Find(string key) => _rows.FirstOrDefault(r => r.Key == key);
}

/// <summary>What the run ran on.</summary>
internal static class Machine
{
    public static string Describe()
    {
        var os = RuntimeInformation.OSDescription;
        try
        {
            var pretty = File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal));
            if (pretty is not null)
            {
                os = pretty["PRETTY_NAME=".Length..].Trim('"');
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        var cpu = string.Empty;
        try
        {
            cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? string.Empty;
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        var memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024);
        return string.Create(CultureInfo.InvariantCulture,
            $"{Environment.ProcessorCount} cores{(cpu.Length > 0 ? $" ({cpu})" : string.Empty)}, {memory:0} GiB, {os}, {RuntimeInformation.FrameworkDescription}, " +
            $"server GC {(System.Runtime.GCSettings.IsServerGC ? "on" : "off")}; hosts and browsers in one process, SQLite files or a local PostgreSQL");
    }

    public static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "n/a";
        }
        catch (UnauthorizedAccessException)
        {
            return "n/a";
        }
    }
}
