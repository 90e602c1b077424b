using System.Diagnostics;
using System.Globalization;
using System.Text;
using Npgsql;

namespace MultiSession.Bench;

/// <summary>
/// <c>--soak MINUTES</c> (issue 14, item 5; not part of CI): virtual browsers use two IdP processes that share one PostgreSQL
/// database (a throw-away cluster) for the given time; midway the PostgreSQL server is stopped for 20 seconds and started
/// again, and later one instance is killed and started again. Afterwards the outbox is given time to drain, the invariants
/// are checked (by SQL on the database, against the back-channel receiver's log, from every request's outcome and from
/// <c>/proc</c>) and printed; the exit code is 1 when one fails. Loopback only; bounded: the load stops at the deadline, each
/// request has a timeout, and the drain and every start-up have a time limit.
/// </summary>
internal static class SoakRun
{
    /// <summary>The accounts a browser may hold (the sample's default, set explicitly on both instances).</summary>
    public const int Limit = 5;

    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan OutageLength = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan KilledFor = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan StartUpLimit = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan DrainLimit = TimeSpan.FromMinutes(3);

    /// <summary>After the database is back, pooled connections that died with the server may still fail once each: 503s allowed this much longer.</summary>
    private static readonly TimeSpan OutageGrace = TimeSpan.FromSeconds(10);

    /// <summary>RSS after warm-up against the end: at most this much growth.</summary>
    private const double RssGrowthLimit = 0.10;

    public static async Task<int> RunAsync(BenchOptions options)
    {
        var duration = options.Soak!.Value;
        var warmUp = TimeSpan.FromSeconds(Math.Max(30, duration.TotalSeconds * 0.2));
        var outageAt = duration * 0.4;
        var killAt = duration * 0.6;
        var hostDll = FindHost(options.RepositoryRoot);
        var directory = Path.Combine(Path.GetTempPath(), "multisession-soak", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        Directory.CreateDirectory(directory);
        var loadBefore = Machine.LoadAverage();
        var started = DateTime.UtcNow;
        Progress($"soak: {duration.TotalMinutes:0.#} min, {options.Browsers} browsers, 2 IdP processes ({hostDll}); logs in {directory}");

        using var postgres = BenchPostgres.Start(options.ConnectionString, options.RepositoryRoot);
        if (!postgres.CanStopAndStart)
        {
            await Console.Error.WriteLineAsync("--soak stops and starts its PostgreSQL server: it runs on a throw-away cluster only (no --connection-string).");
            return 2;
        }

        var database = postgres.NewDatabase("soak");
        await using var receiver = await SoakReceiver.StartAsync();
        using var a = new SoakInstance("instance-a", hostDll, database, receiver.LogoutUri, directory);
        using var b = new SoakInstance("instance-b", hostDll, database, receiver.LogoutUri, directory);

        // A first (it migrates the database and seeds the users), then B.
        await a.StartAsync(StartUpLimit);
        await b.StartAsync(StartUpLimit);
        Progress($"{a.Name} pid {a.ProcessId} on {a.BaseAddress}, {b.Name} pid {b.ProcessId} on {b.BaseAddress}, receiver on {receiver.LogoutUri}");

        var ledger = new SoakLedger();
        receiver.Clock = () => ledger.Now;
        var rss = new List<RssSample>();
        var samples = new SqlSamples();
        using var stop = new CancellationTokenSource();
        var instances = new[] { a, b };
        var browsers = Enumerable.Range(0, options.Browsers)
            .Select(i => new SoakBrowser(instances[i % 2].BaseAddress, i % 2, Limit, RequestTimeout, ledger, seed: i))
            .ToList();
        var load = browsers.Select(browser => Task.Run(() => browser.RunAsync(stop.Token))).ToList();
        var sampler = Task.Run(() => samples.RunAsync(database, stop.Token));

        // The timeline: warm-up, RSS; the database stopped for 20 s; one instance killed and started again; the end.
        var track = new List<(TimeSpan At, long? A, long? B)>();
        async Task Until(TimeSpan at)
        {
            while (ledger.Now < at)
            {
                var left = at - ledger.Now;
                await Task.Delay(left < TimeSpan.FromSeconds(10) ? left : TimeSpan.FromSeconds(10));
                if (left > TimeSpan.FromSeconds(10))
                {
                    track.Add((ledger.Now, a.ResidentBytes(), b.ResidentBytes()));
                    Progress($"{ledger.Now.TotalSeconds:0} s: {ledger.Requests} requests, {ledger["cycles"]} cycles, {ledger.ServerErrors.Count} 5xx, " +
                             $"{ledger.ConnectionErrors.Count} connection errors, {ledger.Timeouts.Count} timeouts; RSS {Mb(track[^1].A)} / {Mb(track[^1].B)}");
                }
            }
        }

        await Until(warmUp);
        rss.Add(await RssSample.MeasureAsync(a, 1, "after warm-up", ledger.Now));
        rss.Add(await RssSample.MeasureAsync(b, 1, "after warm-up", ledger.Now));
        Progress($"warm-up done: {ledger.Requests} requests; RSS {Mb(a.ResidentBytes())} / {Mb(b.ResidentBytes())}");

        await Until(outageAt);
        var stoppedAt = ledger.Now;
        Progress("stopping PostgreSQL");
        postgres.StopServer();
        await Task.Delay(OutageLength);
        postgres.StartServer();
        var outage = new SoakWindow(stoppedAt, ledger.Now);
        Progress($"PostgreSQL back after {(outage.To - outage.From).TotalSeconds:0.0} s");

        await Until(killAt > outage.To + OutageGrace ? killAt : outage.To + OutageGrace);
        rss.Add(await RssSample.MeasureAsync(b, 1, "before the kill", ledger.Now));
        var killedAt = ledger.Now;
        Progress($"killing {b.Name} (pid {b.ProcessId})");
        b.Kill();
        await Task.Delay(KilledFor);
        await b.StartAsync(StartUpLimit);
        var down = new SoakWindow(killedAt, ledger.Now);
        var bRestartedAt = ledger.Now;
        Progress($"{b.Name} answers again (pid {b.ProcessId}) after {(down.To - down.From).TotalSeconds:0.0} s");

        // The restarted process gets its own warm-up before its RSS is compared (when the run leaves enough time).
        var secondWarmUp = bRestartedAt + warmUp;
        if (secondWarmUp < duration - TimeSpan.FromSeconds(30))
        {
            await Until(secondWarmUp);
            rss.Add(await RssSample.MeasureAsync(b, 2, "after warm-up", ledger.Now));
        }

        await Until(duration);
        rss.Add(await RssSample.MeasureAsync(a, 1, "at the end", ledger.Now));
        rss.Add(await RssSample.MeasureAsync(b, 2, "at the end", ledger.Now));
        Progress($"load stops: {ledger.Requests} requests; waiting for the browsers' last requests");
        await stop.CancelAsync();
        await Task.WhenAll(load);
        await sampler;
        var loadEnded = ledger.Now;
        foreach (var browser in browsers)
        {
            browser.Dispose();
        }

        // The outbox drains: every notification delivered (or failed), within a bound.
        var drain = await DrainAsync(database);
        var end = await FinalStateAsync(database, ledger.EndedSids.Keys.ToList());
        var report = Report(options, duration, started, loadBefore, ledger, receiver, rss, track, samples, end, drain, outage, down, loadEnded, a, b);
        Console.WriteLine();
        Console.WriteLine(report.Text);
        if (options.Output is { } output)
        {
            await File.WriteAllTextAsync(Path.GetFullPath(output), report.Text);
        }

        return report.Passed ? 0 : 1;
    }

    /// <summary>Waits until no notification for the soak client is pending (or the limit is reached).</summary>
    private static async Task<(TimeSpan Took, bool Drained)> DrainAsync(string database)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < DrainLimit)
        {
            try
            {
                var pending = await ScalarAsync(database, "SELECT COUNT(*) FROM \"MultiSessionLogoutNotifications\" WHERE \"ClientId\" = @client AND \"Status\" = 0");
                if (pending == 0)
                {
                    return (watch.Elapsed, true);
                }

                Progress($"outbox: {pending} notification(s) pending");
            }
            catch (NpgsqlException exception)
            {
                Progress($"outbox: {exception.Message}");
            }

            await Task.Delay(TimeSpan.FromSeconds(5));
        }

        return (watch.Elapsed, false);
    }

    private static async Task<FinalState> FinalStateAsync(string database, List<string> endedSids)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        var perDevice = await ReadAsync(connection, """
            SELECT COALESCE(MAX(c), 0), COUNT(*) FILTER (WHERE c > @limit), COUNT(*), COALESCE(SUM(c), 0)
            FROM (SELECT COUNT(*) AS c FROM "MultiSessionDeviceSessions" GROUP BY "DeviceId") AS d
            """);
        var duplicates = await ReadAsync(connection, """
            SELECT COUNT(*) FROM (SELECT 1 FROM "MultiSessionDeviceSessions" GROUP BY "DeviceId", "UserId" HAVING COUNT(*) > 1) AS d
            """);
        var notifications = new List<(string Sid, int Status, int Attempts, string? Error)>();
        await using (var command = new NpgsqlCommand("""SELECT "SessionId", "Status", "Attempts", "LastError" FROM "MultiSessionLogoutNotifications" WHERE "ClientId" = @client""", connection))
        {
            command.Parameters.AddWithValue("client", SoakBrowser.ClientId);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                notifications.Add((reader.GetString(0), reader.GetInt32(1), reader.GetInt32(2), reader.IsDBNull(3) ? null : reader.GetString(3)));
            }
        }

        long endedStillStored;
        await using (var command = new NpgsqlCommand("""SELECT COUNT(*) FROM "MultiSessionDeviceSessions" WHERE "Id" = ANY(@ids)""", connection))
        {
            command.Parameters.AddWithValue("ids", endedSids.ToArray());
            endedStillStored = (long)(await command.ExecuteScalarAsync())!;
        }

        return new FinalState(perDevice[0], perDevice[1], perDevice[2], perDevice[3], duplicates[0], notifications, endedStillStored);
    }

    private static async Task<long[]> ReadAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("limit", Limit);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return Enumerable.Range(0, reader.FieldCount).Select(i => Convert.ToInt64(reader.GetValue(i), CultureInfo.InvariantCulture)).ToArray();
    }

    private static async Task<long> ScalarAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("client", SoakBrowser.ClientId);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    private static (string Text, bool Passed) Report(
        BenchOptions options,
        TimeSpan duration,
        DateTime started,
        string loadBefore,
        SoakLedger ledger,
        SoakReceiver receiver,
        List<RssSample> rss,
        List<(TimeSpan At, long? A, long? B)> track,
        SqlSamples samples,
        FinalState end,
        (TimeSpan Took, bool Drained) drain,
        SoakWindow outage,
        SoakWindow down,
        TimeSpan loadEnded,
        SoakInstance a,
        SoakInstance b)
    {
        var text = new StringBuilder();
        var passed = true;
        void Line(string line) => text.AppendLine(line);
        void Verdict(bool ok, string invariant, string figures)
        {
            passed &= ok;
            Line($"- **{(ok ? "PASS" : "FAIL")}** {invariant}: {figures}");
        }

        static string S(TimeSpan t) => t.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";

        Line(Invariant($"MultiSession.Bench --soak {duration.TotalMinutes:0.#}, started {started:yyyy-MM-dd HH:mm} UTC, load ran {S(loadEnded)}."));
        Line($"Machine: {Machine.Describe().Split("; hosts")[0]}. Load average before: {loadBefore}; after: {Machine.LoadAverage()}.");
        Line(Invariant($"Two IdP processes (samples/IdpHost's built output, Development, ephemeral keys) on one PostgreSQL database of a throw-away cluster; {options.Browsers} virtual browsers, sticky, half on each; limit {Limit} accounts per browser; request timeout {RequestTimeout.TotalSeconds:0} s."));
        Line(Invariant($"Faults: PostgreSQL stopped (pg_ctl -m fast) at {S(outage.From)} and started again at {S(outage.To)}; {b.Name} killed (SIGKILL) at {S(down.From)} and answering again at {S(down.To)} (its start-up, with the load on: {S(down.To - down.From - KilledFor)})."));
        Line(string.Empty);
        var statuses = string.Join(", ", ledger.Statuses.OrderBy(s => s.Key).Select(s => Invariant($"{s.Key}: {s.Value}")));
        Line(Invariant($"Requests: {ledger.Requests} ({a.Name} {ledger.RequestsPerInstance[0]}, {b.Name} {ledger.RequestsPerInstance[1]}); answers by status {statuses}; slowest answer {S(ledger.MaxLatency)}."));
        var operations = new[]
        {
            "cycles", "sign-ins", "sign-ins refused at the limit", "sign-ins refused: another sign-in of the browser had just finished", "sign-ins without an answer",
            "race: one signed in", "race: none signed in", "race: both signed in", "sign-in above the limit refused", "sign-in above the limit ACCEPTED",
            "sign-in above the limit: no answer or another error", "code flows", "code flows failed", "code flows whose sid is not the account's session",
            "switches", "switches failed", "re-authentications kept the sid", "re-authentications CHANGED the sid", "re-authentications not listed after",
            "revokes", "revokes failed", "sign-outs of all accounts", "sign-outs of all accounts failed", "lists",
        };
        var others = ledger.Names.Except(operations).Except(["most accounts in a list", "lists ABOVE the limit", "lists with a user TWICE"]).Order(StringComparer.Ordinal);
        Line("Operations: " + string.Join(", ", operations.Concat(others).Select(o => Invariant($"{o} {ledger[o]}"))) + ".");
        Line(string.Empty);
        Line("Invariants:");
        Line(string.Empty);

        // 1. The limit.
        Verdict(end.MaxPerDevice <= Limit && end.DevicesAboveLimit == 0 && samples.MaxPerDevice <= Limit && ledger["lists ABOVE the limit"] == 0 && ledger["sign-in above the limit ACCEPTED"] == 0 && ledger["race: both signed in"] == 0,
            $"no device above the limit ({Limit})",
            Invariant($"at the end (SQL) {end.Devices} devices holding {end.Sessions} sessions, at most {end.MaxPerDevice} on one, {end.DevicesAboveLimit} above; during the run (SQL every 5 s, {samples.Samples} samples) at most {samples.MaxPerDevice} on one; in {ledger["lists"]} list answers at most {ledger["most accounts in a list"]}, {ledger["lists ABOVE the limit"]} above; one more sign-in at the limit refused {ledger["sign-in above the limit refused"]}, accepted {ledger["sign-in above the limit ACCEPTED"]}; two sign-ins at once for the last slot: one signed in {ledger["race: one signed in"]}, both {ledger["race: both signed in"]}"));

        // 2. One session per user per device.
        Verdict(end.DuplicateUsers == 0 && samples.MaxDuplicates == 0 && ledger["lists with a user TWICE"] == 0 && ledger["re-authentications CHANGED the sid"] == 0,
            "one session per user per device",
            Invariant($"(device, user) pairs with more than one session: {end.DuplicateUsers} at the end, at most {samples.MaxDuplicates} during the run (SQL); lists naming a user twice {ledger["lists with a user TWICE"]}; re-authentications that kept their sid {ledger["re-authentications kept the sid"]}, changed it {ledger["re-authentications CHANGED the sid"]}"));

        // 3. 5xx: only 503, and only while the database was down (plus the grace for connections that died with it).
        var errors = ledger.ServerErrors.ToList();
        var outside = errors.Where(e => e.What != "503" || !outage.Contains(e.At, OutageGrace)).ToList();
        var lastUnavailable = errors.Where(e => e.What == "503").Select(e => e.At).DefaultIfEmpty(TimeSpan.Zero).Max();
        Verdict(outside.Count == 0,
            "no 5xx other than 503 during the outage",
            Invariant($"{errors.Count} answers 5xx, {errors.Count(e => e.What == "503")} of them 503, all between {S(outage.From)} and {S(outage.To + OutageGrace)} (the outage and {OutageGrace.TotalSeconds:0} s after; the last 503 at {S(lastUnavailable)}, {(lastUnavailable <= outage.To ? "before the restart returned" : S(lastUnavailable - outage.To) + " after the database was back")}): {(outside.Count == 0 ? "yes" : "no, " + outside.Count + " outside or not 503: " + Describe(outside))}"));

        // 4. Back-channel logout: every ended session with tokens reached the receiver; the outbox holds nothing undelivered.
        var expected = ledger.EndedSids.Keys.Where(ledger.SidsWithTokens.ContainsKey).ToList();
        var missing = expected.Where(sid => !receiver.Sids.ContainsKey(sid)).ToList();
        var undelivered = end.Notifications.Where(n => n.Status != 1).ToList();
        var deliveredNotReceived = end.Notifications.Where(n => n.Status == 1 && !receiver.Sids.ContainsKey(n.Sid)).ToList();
        Verdict(missing.Count == 0 && undelivered.Count == 0 && deliveredNotReceived.Count == 0 && receiver.Rejected == 0 && end.EndedStillStored == 0,
            "every ended session's logout notification delivered",
            Invariant($"the browsers ended {ledger.EndedSids.Count} sessions, {expected.Count} of them with tokens for the client: {expected.Count - missing.Count} sids received, {missing.Count} missing; outbox (SQL) {end.Notifications.Count} notifications for the client, {end.Notifications.Count(n => n.Status == 1)} delivered, {end.Notifications.Count(n => n.Status == 0)} pending, {end.Notifications.Count(n => n.Status == 2)} failed, {deliveredNotReceived.Count} marked delivered but not in the receiver's log; drained {(drain.Drained ? "in " + S(drain.Took) + " after the load" : "NOT within " + S(drain.Took))}; receiver: {receiver.Sids.Count} sids, {receiver.Sids.Values.Sum() - receiver.Sids.Count} repeated deliveries{Repeats(receiver)}, {receiver.Rejected} tokens rejected; ended sessions still stored {end.EndedStillStored}{(undelivered.Count > 0 ? "; last errors: " + string.Join(", ", undelivered.Select(n => n.Error ?? "none").Distinct().Take(5)) : string.Empty)}"));

        // 5. RSS after warm-up against later, per process.
        var growth = new List<string>();
        var rssOk = true;
        foreach (var life in rss.GroupBy(s => (s.Instance, s.Life)))
        {
            var first = life.First();
            var last = life.Last();
            if (life.Count() < 2 || first.Bytes is not { } from || last.Bytes is not { } to)
            {
                growth.Add(Invariant($"{first.Instance} (process {first.Life}): {string.Join(", ", life.Select(s => $"{Mb(s.Bytes)} {s.When} at {S(s.At)}"))}, not judged (no warm-up sample)"));
                continue;
            }

            var change = (to - from) / (double)from;
            rssOk &= change < RssGrowthLimit;
            growth.Add(Invariant($"{first.Instance} (process {first.Life}) {Mb(from)} {first.When} at {S(first.At)} → {Mb(to)} {last.When} at {S(last.At)}: {change * 100:+0.0;-0.0} % (managed heap after the GCs {Mb(first.Heap)} → {Mb(last.Heap)}, GC committed {Mb(first.Committed)} → {Mb(last.Committed)}, RSS outside the GC's commit {Mb(first.Bytes - first.Committed)} → {Mb(last.Bytes - last.Committed)})"));
        }

        var everyMinute = track.GroupBy(t => (int)t.At.TotalMinutes).Select(g => g.Last())
            .Select(t => Invariant($"{t.At.TotalMinutes:0.0} min {Mb(t.A)} / {Mb(t.B)}"));
        Verdict(rssOk, Invariant($"RSS growth after warm-up under {RssGrowthLimit * 100:0} % (each sample after two full GCs in the process)"),
            string.Join("; ", growth) + Invariant($" (RSS of {a.Name} / {b.Name} along the run: {string.Join(", ", everyMinute)})"));

        // 6. Nothing hangs: every request answered, or a connection error while its instance was down.
        var connectionErrors = ledger.ConnectionErrors.ToList();
        var allowedConnectionErrors = connectionErrors.Where(e => e.Instance == 1 && down.Contains(e.At, TimeSpan.FromSeconds(2))).ToList();
        var strayConnectionErrors = connectionErrors.Except(allowedConnectionErrors).ToList();
        var timeouts = ledger.Timeouts.ToList();
        Verdict(timeouts.Count == 0 && strayConnectionErrors.Count == 0,
            "no request left hanging",
            Invariant($"{ledger.Requests} requests: {ledger.Statuses.Values.Sum()} answered, {connectionErrors.Count} connection errors ({allowedConnectionErrors.Count} to {b.Name} while it was down, {strayConnectionErrors.Count} otherwise{(strayConnectionErrors.Count > 0 ? ": " + Describe(strayConnectionErrors) : string.Empty)}), {timeouts.Count} without an answer within {RequestTimeout.TotalSeconds:0} s{(timeouts.Count > 0 ? ": " + Describe(timeouts) : string.Empty)}"));

        Line(string.Empty);
        Line(passed ? "All invariants hold." : "At least one invariant FAILED.");
        return (text.ToString(), passed);
    }

    private static string Describe(List<SoakIncident> incidents) =>
        string.Join(", ", incidents.GroupBy(i => (i.Method, i.Path, i.What, i.Instance)).Take(8)
            .Select(g => Invariant($"{g.Count()} × {g.Key.What} {g.Key.Method} {g.Key.Path} on instance {(g.Key.Instance == 0 ? "a" : "b")} (first at {g.Min(i => i.At).TotalSeconds:0.0} s)")));

    private static string Repeats(SoakReceiver receiver) => receiver.Repeats.IsEmpty ? string.Empty
        : " (first delivery → again: " + string.Join(", ", receiver.Repeats.Take(12).Select(r => Invariant($"{r.First.TotalSeconds:0.0} → {r.Again.TotalSeconds:0.0} s"))) + ")";

    private static string Mb(long? bytes) => bytes is { } b ? Invariant($"{b / (1024.0 * 1024):0} MiB") : "n/a";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string FindHost(string repositoryRoot)
    {
        // The sample's own build output for this bench's configuration (Release or Debug); the copy in the bench's folder else.
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent?.Name ?? "Release";
        var sample = Path.Combine(repositoryRoot, "samples", "IdpHost", "bin", configuration, "net10.0", "IdpHost.dll");
        return File.Exists(sample) ? sample : Path.Combine(AppContext.BaseDirectory, "IdpHost.dll");
    }

    private static void Progress(string message) => BenchProgram.Progress(message);

    private sealed record RssSample(string Instance, int Life, string When, TimeSpan At, long? Bytes, long? Heap = null, long? Committed = null)
    {
        public static async Task<RssSample> MeasureAsync(SoakInstance instance, int life, string when, TimeSpan at)
        {
            var (rss, heap, committed) = await instance.MemoryAfterFullGcAsync();
            return new RssSample(instance.Name, life, when, at, rss, heap, committed);
        }
    }

    private sealed record FinalState(
        long MaxPerDevice,
        long DevicesAboveLimit,
        long Devices,
        long Sessions,
        long DuplicateUsers,
        List<(string Sid, int Status, int Attempts, string? Error)> Notifications,
        long EndedStillStored);

    /// <summary>The limit and uniqueness by SQL every 5 s during the run (samples that fail, while the database is down, are skipped).</summary>
    private sealed class SqlSamples
    {
        public long MaxPerDevice { get; private set; }

        public long MaxDuplicates { get; private set; }

        public int Samples { get; private set; }

        public async Task RunAsync(string database, CancellationToken stop)
        {
            var pooled = new NpgsqlConnectionStringBuilder(database) { Pooling = false, Timeout = 5 }.ConnectionString;
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await using var connection = new NpgsqlConnection(pooled);
                    await connection.OpenAsync(stop);
                    var perDevice = await ReadAsync(connection, """SELECT COALESCE(MAX(c), 0) FROM (SELECT COUNT(*) AS c FROM "MultiSessionDeviceSessions" GROUP BY "DeviceId") AS d""");
                    var duplicates = await ReadAsync(connection, """SELECT COUNT(*) FROM (SELECT 1 FROM "MultiSessionDeviceSessions" GROUP BY "DeviceId", "UserId" HAVING COUNT(*) > 1) AS d""");
                    MaxPerDevice = Math.Max(MaxPerDevice, perDevice[0]);
                    MaxDuplicates = Math.Max(MaxDuplicates, duplicates[0]);
                    Samples++;
                    await Task.Delay(TimeSpan.FromSeconds(5), stop);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception exception) when (exception is NpgsqlException or IOException or TimeoutException)
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None);
                }
            }
        }
    }
}
