using System.Globalization;
using System.Text;

namespace MultiSession.Bench;

/// <summary>The IdP process's memory at one number of stored sessions, after the same traffic.</summary>
internal sealed record GrowthMemoryRow(long StoredSessions, ProcessMemory Memory, int PageRequests, int Errors);

/// <summary>Bytes allocated per authenticated page request (whole process) and per authentication (hot path) of one setup.</summary>
internal sealed record GrowthAllocationRow(string Setup, long BytesPerPageRequest, long BytesPerAuthentication, int PageRequests, int Errors);

/// <summary>
/// What a window cost: the bench process's processor time and GC pauses, and the whole machine's busy processor time (from
/// <c>/proc/stat</c>; the difference is other processes), each per second of the window.
/// </summary>
internal sealed record ProcessLoad(double Cores, double GcPauseShare, double MachineCores)
{
    /// <summary>The thread pool's queue (work items waiting for a thread), sampled every 50 ms: the mean over the window.</summary>
    public double MeanQueuedWorkItems { get; init; }

    /// <summary>The most threads the thread pool had in the window.</summary>
    public int MaxThreads { get; init; }

    /// <summary>Runs <paramref name="window"/> and measures the process and the machine around it.</summary>
    public static async Task<(T Result, ProcessLoad Load)> MeasureAsync<T>(Func<Task<T>> window)
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        var processor = process.TotalProcessorTime;
        var paused = GC.GetTotalPauseDuration();
        var machine = MachineBusyTicks();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();

        // A thread of its own, so that the sampling does not wait in the queue it samples.
        long queued = 0, samples = 0;
        var threads = 0;
        var sampler = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                queued += ThreadPool.PendingWorkItemCount;
                samples++;
                threads = Math.Max(threads, ThreadPool.ThreadCount);
                Thread.Sleep(50);
            }
        }) { IsBackground = true };
        sampler.Start();
        var result = await window();
        var elapsed = watch.Elapsed;
        await stop.CancelAsync();
        sampler.Join();
        process.Refresh();
        var busy = (MachineBusyTicks() - machine) / 100.0;
        return (result, new ProcessLoad((process.TotalProcessorTime - processor) / elapsed, (GC.GetTotalPauseDuration() - paused) / elapsed, busy / elapsed.TotalSeconds)
        {
            MeanQueuedWorkItems = samples == 0 ? 0 : (double)queued / samples,
            MaxThreads = threads,
        });
    }

    /// <summary>The machine's busy time so far in clock ticks (1/100 s): the first line of /proc/stat less idle and I/O wait.</summary>
    private static long MachineBusyTicks()
    {
        try
        {
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
                .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
            return fields.Take(8).Sum() - fields[3] - fields[4];
        }
        catch (IOException)
        {
            return 0;
        }
    }
}

/// <summary>One background job measured under paced page requests: the cleanup or the outbox delivery.</summary>
internal sealed record GrowthJobRow(string Job, long Items, long Done, long Queued, long Failures, TimeSpan Time, Measurement Before, Measurement During, string Note)
{
    public double Ratio => During.P95 / Before.P95;

    /// <summary>The bench process's processor time and GC pauses before and during the job (the IdP, the browsers and the job share it).</summary>
    public ProcessLoad? LoadBefore { get; init; }

    public ProcessLoad? LoadDuring { get; init; }
}

/// <summary>The growth part's figures and budgets: memory with stored sessions, allocations, the cleanup, the outbox.</summary>
internal sealed class GrowthResult
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public List<GrowthMemoryRow> Memory { get; } = [];

    public List<GrowthAllocationRow> Allocations { get; } = [];

    public List<GrowthJobRow> Jobs { get; } = [];

    public int Browsers { get; init; }

    public double RatePerBrowser { get; init; }

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        const double MiB = 1024 * 1024;
        if (Memory.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("Growth 1, memory: the IdP as a process of its own (`dotnet exec IdpHost.dll`, SQLite, multi-session), read from `/proc/PID/status` after the same traffic at each size and two forced full GCs in that process.");
            text.AppendLine();
            text.AppendLine("| stored sessions | VmRSS MiB | RssAnon MiB | RssFile MiB | RssShmem MiB | peak VmHWM MiB | managed heap after full GC MiB | GC committed MiB | page requests (errors) | RSS ratio |");
            text.AppendLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
            foreach (var row in Memory)
            {
                var m = row.Memory;
                var ratio = row == Memory[0] ? string.Empty : $"{(double)m.VmRssBytes / Memory[0].Memory.VmRssBytes:0.00} × {BenchProgram.FormatCount(Memory[0].StoredSessions)}";
                text.AppendLine(Invariant, $"| {BenchProgram.FormatCount(row.StoredSessions)} | {m.VmRssBytes / MiB:0.0} | {m.RssAnonBytes / MiB:0.0} | {m.RssFileBytes / MiB:0.0} | {m.RssShmemBytes / MiB:0.0} | {m.VmHwmBytes / MiB:0.0} | {m.ManagedHeapBytes / MiB:0.0} | {m.GcCommittedBytes / MiB:0.0} | {row.PageRequests} ({row.Errors}) | {ratio} |");
            }
        }

        if (Allocations.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("Growth 2, allocations (in the bench's process, `GC.GetTotalAllocatedBytes`): per authenticated page request, one browser at a time, the whole process (the IdP's request and the browser's `HttpClient`, the same for every setup); per authentication, the `--hot-path` harness (no HTTP).");
            text.AppendLine();
            text.AppendLine("| setup | bytes per page request | × baseline | bytes per authentication | × baseline | page requests (errors) |");
            text.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: |");
            var baseline = Allocations[0];
            foreach (var row in Allocations)
            {
                text.AppendLine(Invariant, $"| {row.Setup} | {row.BytesPerPageRequest:N0} | {(double)row.BytesPerPageRequest / baseline.BytesPerPageRequest:0.00} | {row.BytesPerAuthentication:N0} | {(double)row.BytesPerAuthentication / baseline.BytesPerAuthentication:0.00} | {row.PageRequests} ({row.Errors}) |");
            }
        }

        if (Jobs.Count > 0)
        {
            text.AppendLine();
            text.AppendLine(Invariant, $"Growth 3 and 4, background jobs: {Browsers} virtual browsers each requesting the authenticated page {RatePerBrowser:0.#} times a second (paced, below capacity), measured right before the job and while it runs (SQLite, multi-session, in the bench's process).");
            text.AppendLine();
            text.AppendLine("| job | items | done | notifications queued | failures | time s | items/s | page p50 before / during ms | page p95 before / during ms | p95 ratio | page requests before / during (errors) | bench process cores before / during | whole machine cores busy before / during | GC paused before / during | thread-pool queue, mean before / during | thread-pool threads, most before / during |");
            text.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |");
            foreach (var job in Jobs)
            {
                text.AppendLine(Invariant,
                    $"| {job.Job} | {job.Items:N0} | {job.Done:N0} | {job.Queued:N0} | {job.Failures:N0} | {job.Time.TotalSeconds:0.0} | {job.Done / job.Time.TotalSeconds:N0} | {job.Before.P50:0.00} / {job.During.P50:0.00} | {job.Before.P95:0.00} / {job.During.P95:0.00} | {job.Ratio:0.00} | {job.Before.Operations} / {job.During.Operations} ({job.Before.Errors + job.During.Errors}) | " +
                    $"{job.LoadBefore?.Cores:0.00} / {job.LoadDuring?.Cores:0.00} | {job.LoadBefore?.MachineCores:0.00} / {job.LoadDuring?.MachineCores:0.00} | {job.LoadBefore?.GcPauseShare:0.0 %} / {job.LoadDuring?.GcPauseShare:0.0 %} | " +
                    $"{job.LoadBefore?.MeanQueuedWorkItems:0.0} / {job.LoadDuring?.MeanQueuedWorkItems:0.0} | {job.LoadBefore?.MaxThreads} / {job.LoadDuring?.MaxThreads} |");
            }

            foreach (var job in Jobs.Where(j => j.Note.Length > 0))
            {
                text.AppendLine();
                text.AppendLine(job.Job + ": " + job.Note);
            }
        }

        return text.ToString();
    }

    public IEnumerable<string> Budgets()
    {
        if (Memory.Count >= 2)
        {
            var first = Memory[0];
            var last = Memory[^1];
            var ratio = (double)last.Memory.VmRssBytes / first.Memory.VmRssBytes;
            yield return Report.Verdict(string.Create(Invariant,
                $"memory does not grow with stored sessions: RSS of the IdP process at {BenchProgram.FormatCount(last.StoredSessions)} ÷ at {BenchProgram.FormatCount(first.StoredSessions)} = {ratio:0.00} ({last.Memory.VmRssBytes / 1048576.0:0} MiB ÷ {first.Memory.VmRssBytes / 1048576.0:0} MiB; budget ≤ 1.10)"),
                ratio <= 1.1 && last.Errors == 0 && first.Errors == 0);
        }

        if (Allocations.Count >= 2)
        {
            var baseline = Allocations[0];
            foreach (var row in Allocations.Skip(1))
            {
                yield return string.Create(Invariant,
                    $"(no budget) allocated per authenticated page request, {row.Setup}: {row.BytesPerPageRequest:N0} bytes ({(double)row.BytesPerPageRequest / baseline.BytesPerPageRequest:0.00} × the stateless baseline's {baseline.BytesPerPageRequest:N0}); per authentication {row.BytesPerAuthentication:N0} bytes ({(double)row.BytesPerAuthentication / baseline.BytesPerAuthentication:0.00} ×)");
            }
        }

        foreach (var job in Jobs)
        {
            var complete = job.Done >= job.Items && job.Before.Errors + job.During.Errors == 0;
            yield return Report.Verdict(string.Create(Invariant,
                $"{job.Job}: {job.Done:N0} of {job.Items:N0} in {job.Time.TotalSeconds:0.0} s; page p95 during ÷ before = {job.Ratio:0.00} ({job.During.P95:0.00} ms ÷ {job.Before.P95:0.00} ms; budget ≤ 1.20, all items done, no page error)"),
                job.Ratio <= 1.2 && complete);
        }
    }
}
