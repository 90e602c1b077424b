using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace MultiSession.Bench;

/// <summary>One line of the table.</summary>
internal sealed record Row(string Scenario, string Setup, Measurement Result)
{
    public string Group { get; init; } = string.Empty;

    public string Key { get; init; } = string.Empty;
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

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine(Invariant, $"MultiSession.Bench, {(options.Quick ? "quick" : "full")} run of {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Elapsed.TotalSeconds:0} s in all.");
        text.AppendLine(Invariant, $"Machine: {machine}. Load average before: {_loadBefore}; after: {LoadAfter}.");
        var rounds = options.Rounds > 1 ? $" (paired scenarios: {options.Rounds} rounds alternating baseline and multi-session)." : ".";
        text.AppendLine(Invariant, $"{options.Browsers} virtual browsers at once, one request in flight each; {options.WarmUp.TotalSeconds:0.#} s warm-up, {options.Duration.TotalSeconds:0.#} s measured per scenario and setup{rounds}");
        text.AppendLine("An operation of the code flow is two requests (authorize, then token); the others are one request. Latencies in milliseconds.");
        text.AppendLine();
        text.AppendLine("| scenario | setup | ops/s | p50 | p95 | p99 | errors | ratio |");
        text.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |");
        foreach (var row in _rows)
        {
            var r = row.Result;
            text.AppendLine(Invariant, $"| {row.Scenario} | {row.Setup} | {r.OperationsPerSecond:0.0} | {r.P50:0.00} | {r.P95:0.00} | {r.P99:0.00} | {r.Errors} | {RatioOf(row)} |");
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
            case "paired" when row.Key.EndsWith(":multi", StringComparison.Ordinal):
                var baseline = Find(row.Key.Replace(":multi", ":baseline", StringComparison.Ordinal));
                return baseline is null ? string.Empty : $"{Throughput(row, baseline):0.00} × baseline ops/s";
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

    private IEnumerable<string> Budgets()
    {
        var flowBaseline = Find("flow:baseline");
        var flowMulti = Find("flow:multi");
        if (flowBaseline is not null && flowMulti is not null)
        {
            var ratio = Throughput(flowMulti, flowBaseline);
            yield return Verdict($"authorize + token throughput, multi-session ÷ baseline = {ratio:0.00} (budget ≥ 0.90)", ratio >= 0.9);
        }

        var pageBaseline = Find("page:baseline");
        var pageMulti = Find("page:multi");
        if (pageBaseline is not null && pageMulti is not null)
        {
            var ratio = Throughput(pageMulti, pageBaseline);
            yield return Verdict($"authenticated page throughput, multi-session ÷ baseline = {ratio:0.00} (budget ≥ 0.90)", ratio >= 0.9);
        }

        var refreshBaseline = Find("refresh:baseline");
        var refreshMulti = Find("refresh:multi");
        if (refreshBaseline is not null && refreshMulti is not null)
        {
            yield return $"(no budget) refresh-token grant throughput, multi-session ÷ baseline = {Throughput(refreshMulti, refreshBaseline):0.00}";
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

    private static string Verdict(string line, bool met) => (met ? "**met**: " : "**missed**: ") + line;

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
            $"server GC {(System.Runtime.GCSettings.IsServerGC ? "on" : "off")}; hosts and browsers in one process, SQLite files");
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
