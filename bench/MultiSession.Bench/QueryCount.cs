using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace MultiSession.Bench;

/// <summary>
/// The <c>queries</c> part: where the extra cost of an operation goes. One browser runs N operations one after the other against
/// one host at a time (a code flow, a refresh, an authenticated page), and the SQL commands EF Core executes for them are
/// counted in process (<see cref="SqlCommandCounter"/>): commands and their milliseconds per operation, per setup; and the
/// distinct statements of the multi-session code flow and refresh against the baseline's, so the extra ones are named.
/// </summary>
internal static partial class QueryCount
{
    /// <summary>One host with one signed-in browser of it.</summary>
    public sealed record Target(string Setup, IdpServer Server, VirtualBrowser Browser);

    private sealed record Counted(string Operation, string Setup, int Operations, int Errors, double WallMs, IReadOnlyList<(string Text, double Milliseconds)> Commands, int Background);

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static async Task<string> RunAsync(string database, int operations, IReadOnlyList<Target> targets)
    {
        var counted = new List<Counted>();
        using var counter = new SqlCommandCounter();

        // EF Core's command logger, having found nobody listening, does not ask again for a second: wait that out, or the first
        // second's commands go uncounted.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        foreach (var target in targets.Where(t => t.Browser.RefreshToken is null))
        {
            using var tokens = await target.Browser.CodeFlowAsync(target.Browser.NextLoginHint())
                ?? throw new InvalidOperationException($"{target.Setup}: the first code flow failed.");
            target.Browser.RefreshToken = tokens.RootElement.GetProperty("refresh_token").GetString();
        }

        foreach (var (operation, run) in new (string, Func<VirtualBrowser, Task<bool>>)[]
                 {
                     ("authorize + token (code flow)", async b =>
                     {
                         using var tokens = await b.CodeFlowAsync(b.NextLoginHint());
                         return tokens is not null;
                     }),
                     ("refresh-token grant", b => b.RefreshAsync()),
                     ("authenticated page", b => b.ProfileAsync()),
                 })
        {
            foreach (var target in targets)
            {
                // A few operations first (EF's query compilation, the pools), not counted.
                for (var i = 0; i < 3; i++)
                {
                    await run(target.Browser);
                }

                counter.Watch(SqlCommandCounter.DatabaseOf(target.Server));
                var errors = 0;
                var watch = Stopwatch.StartNew();
                for (var i = 0; i < operations; i++)
                {
                    errors += await run(target.Browser) ? 0 : 1;
                }

                var wall = watch.Elapsed.TotalMilliseconds;
                var (commands, background) = counter.Stop();
                counted.Add(new Counted(operation, target.Setup, operations, errors, wall, commands, background));
                var last = counted[^1];
                BenchProgram.Progress(string.Create(Invariant,
                    $"queries {database} | {operation} | {target.Setup}: {(double)commands.Count / operations:0.##} commands, {commands.Sum(c => c.Milliseconds) / operations:0.00} SQL ms, {wall / operations:0.00} ms per operation, {errors} errors, {background} commands outside requests"));
            }
        }

        return ToMarkdown(database, operations, targets, counted);
    }

    private static string ToMarkdown(string database, int operations, IReadOnlyList<Target> targets, List<Counted> counted)
    {
        var text = new StringBuilder();
        text.AppendLine();
        text.AppendLine(Invariant, $"| {database}: SQL commands per operation (one browser, {operations} operations in sequence, one host at a time) | setup | commands | SQL ms | request ms (wall) | errors | commands outside requests |");
        text.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var row in counted)
        {
            text.AppendLine(Invariant,
                $"| {row.Operation} | {row.Setup} | {(double)row.Commands.Count / row.Operations:0.##} | {row.Commands.Sum(c => c.Milliseconds) / row.Operations:0.00} | {row.WallMs / row.Operations:0.00} | {row.Errors} | {row.Background} |");
        }

        // The statements of the multi-session code flow and refresh against the baseline's (the first two setups).
        if (targets.Count >= 3)
        {
            var baseline = targets[0].Setup;
            var multi = targets[2].Setup;
            foreach (var operation in counted.Select(c => c.Operation).Distinct().Take(2))
            {
                var before = Group(counted.First(c => c.Operation == operation && c.Setup == baseline));
                var after = Group(counted.First(c => c.Operation == operation && c.Setup == multi));
                text.AppendLine();
                text.AppendLine(Invariant, $"| {database}, {operation}: statement (first 60 characters) | table | baseline per operation | multi-session per operation | extra | baseline ms | multi-session ms |");
                text.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
                foreach (var key in before.Keys.Union(after.Keys).OrderByDescending(k => after.GetValueOrDefault(k).Count - before.GetValueOrDefault(k).Count).ThenBy(k => k, StringComparer.Ordinal))
                {
                    var b = before.GetValueOrDefault(key);
                    var a = after.GetValueOrDefault(key);
                    text.AppendLine(Invariant,
                        $"| `{key.Replace("|", "\\|", StringComparison.Ordinal)}` | {a.Table ?? b.Table} | {b.Count / (double)operations:0.##} | {a.Count / (double)operations:0.##} | {(a.Count - b.Count) / (double)operations:+0.##;-0.##;0} | {b.Milliseconds / operations:0.00} | {a.Milliseconds / operations:0.00} |");
                }
            }
        }

        return text.ToString();
    }

    private static Dictionary<string, (int Count, double Milliseconds, string? Table)> Group(Counted counted) =>
        counted.Commands
            .GroupBy(c => Head(c.Text), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (g.Count(), g.Sum(c => c.Milliseconds), (string?)TableOf(g.First().Text)), StringComparer.Ordinal);

    private static string Head(string sql)
    {
        var flat = Whitespace().Replace(sql, " ").Trim();
        return flat.Length <= 60 ? flat : flat[..60] + "…";
    }

    private static string TableOf(string sql)
    {
        var match = Table().Match(sql);
        return match.Success ? match.Groups[1].Value : string.Empty;
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"\b(?:FROM|INTO|UPDATE|JOIN)\s+""?([A-Za-z_][A-Za-z0-9_]*)""?", RegexOptions.IgnoreCase)]
    private static partial Regex Table();
}
