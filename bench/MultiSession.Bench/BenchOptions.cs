using System.Globalization;

namespace MultiSession.Bench;

/// <summary>The command line: <c>--quick</c> (under two minutes) or the full run (the default), and overrides.</summary>
internal sealed record BenchOptions
{
    public bool Quick { get; init; }

    /// <summary>Concurrent virtual browsers per scenario (one request in flight each).</summary>
    public int Browsers { get; init; } = 8;

    /// <summary>Warm-up before each measured window (results dropped).</summary>
    public TimeSpan WarmUp { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Measured time per scenario and setup (for a paired scenario: per host, split over the rounds).</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Paired scenarios alternate baseline and multi-session this many times (B M, then M B, ...), to cancel drift.</summary>
    public int Rounds { get; init; } = 4;

    /// <summary>The numbers of sessions stored in the database for the storage scenarios.</summary>
    public IReadOnlyList<long> StoredSessions { get; init; } = [1_000, 100_000, 1_000_000];

    /// <summary>
    /// The parts to run (all by default): flow, refresh, page (the paired scenarios), queries, accounts, stored, switch, growth; with
    /// <c>--quick</c> all but growth unless <c>--only</c> names it.
    /// </summary>
    public IReadOnlySet<string> Only { get; init; } = Parts.ToHashSet(StringComparer.Ordinal);

    public static IReadOnlyList<string> Parts { get; } = ["flow", "refresh", "page", "queries", "accounts", "stored", "switch", "growth"];

    /// <summary>Queries: the operations one browser runs in sequence per setup and operation while the SQL commands are counted.</summary>
    public int QueryOperations { get; init; } = 50;

    /// <summary>Growth: expired sessions (each with a client) the cleanup removes.</summary>
    public long CleanupSessions { get; init; } = 1_000_000;

    /// <summary>Growth: back-channel logout notifications the outbox delivers.</summary>
    public int OutboxNotifications { get; init; } = 10_000;

    /// <summary>Growth: authenticated page requests per second of each browser while the cleanup or the delivery runs.</summary>
    public double GrowthRate { get; init; } = 25;

    /// <summary>Growth: the window measured right before the cleanup and the delivery.</summary>
    public TimeSpan GrowthWindow { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Growth: page requests per browser before the memory is read, and per setup for the allocations.</summary>
    public int GrowthRequests { get; init; } = 1_000;

    public bool Runs(string part) => Only.Contains(part);

    /// <summary><c>--hot-path</c>: only the cost of authenticating one request, on one thread, without HTTP (see <see cref="HotPath"/>).</summary>
    public bool HotPath { get; init; }

    public int HotPathIterations { get; init; } = 20_000;

    public int HotPathThreads { get; init; } = 1;

    /// <summary>The databases to run on, in order: SQLite (the default) and/or PostgreSQL.</summary>
    public IReadOnlyList<string> Databases { get; init; } = ["sqlite"];

    /// <summary>A PostgreSQL server to use (a database per host is created on it); without it, a throw-away cluster is started.</summary>
    public string? ConnectionString { get; init; }

    /// <summary>Revocations measured for the propagation delay between two instances (PostgreSQL).</summary>
    public int PropagationTrials { get; init; } = 200;

    /// <summary>Where the run was started (to find <c>.ci/start-postgres</c>).</summary>
    public string RepositoryRoot { get; init; } = Directory.GetCurrentDirectory();

    /// <summary>Also writes the Markdown report to this file.</summary>
    public string? Output { get; init; }

    /// <summary><c>--soak MINUTES</c>: only the soak with faults (see <see cref="SoakRun"/>), for that long; not part of CI.</summary>
    public TimeSpan? Soak { get; init; }

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        if (args.Contains("--quick"))
        {
            options = options with
            {
                Quick = true, WarmUp = TimeSpan.FromSeconds(0.75), Duration = TimeSpan.FromSeconds(2), Rounds = 1, PropagationTrials = 40, QueryOperations = 20,
                Only = Parts.Where(p => p != "growth").ToHashSet(StringComparer.Ordinal),
                CleanupSessions = 100_000, OutboxNotifications = 1_000, GrowthWindow = TimeSpan.FromSeconds(4), GrowthRequests = 200,
            };
        }

        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--quick":
                    break;
                case "--hot-path":
                    options = options with { HotPath = true };
                    break;
                case "--threads":
                    options = options with { HotPathThreads = int.Parse(Value(), CultureInfo.InvariantCulture) };
                    break;
                case "--iterations":
                    options = options with { HotPathIterations = int.Parse(Value(), CultureInfo.InvariantCulture) };
                    break;
                case "--browsers":
                    options = options with { Browsers = int.Parse(Value(), CultureInfo.InvariantCulture) };
                    break;
                case "--warmup":
                    options = options with { WarmUp = TimeSpan.FromSeconds(double.Parse(Value(), CultureInfo.InvariantCulture)) };
                    break;
                case "--duration":
                    options = options with { Duration = TimeSpan.FromSeconds(double.Parse(Value(), CultureInfo.InvariantCulture)) };
                    break;
                case "--rounds":
                    options = options with { Rounds = int.Parse(Value(), CultureInfo.InvariantCulture) };
                    break;
                case "--sessions":
                    options = options with { StoredSessions = Value().Split(',').Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToList() };
                    break;
                case "--only":
                    var parts = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
                    if (parts.Count == 0 || parts.Except(Parts).Any())
                    {
                        throw new ArgumentException($"--only takes some of: {string.Join(',', Parts)}.");
                    }

                    options = options with { Only = parts };
                    break;
                case "--database":
                    var databases = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                        .Select(d => d.ToLowerInvariant()).Distinct().ToList();
                    if (databases.Count == 0 || databases.Except(["sqlite", "postgresql"]).Any())
                    {
                        throw new ArgumentException("--database takes sqlite, postgresql or both (sqlite,postgresql).");
                    }

                    options = options with { Databases = databases };
                    break;
                case "--cleanup-sessions":
                    options = options with { CleanupSessions = long.Parse(Value(), CultureInfo.InvariantCulture) };
                    break;
                case "--notifications":
                    options = options with { OutboxNotifications = int.Parse(Value(), CultureInfo.InvariantCulture) };
                    break;
                case "--growth-rate":
                    options = options with { GrowthRate = double.Parse(Value(), CultureInfo.InvariantCulture) };
                    break;
                case "--growth-window":
                    options = options with { GrowthWindow = TimeSpan.FromSeconds(double.Parse(Value(), CultureInfo.InvariantCulture)) };
                    break;
                case "--growth-requests":
                    options = options with { GrowthRequests = int.Parse(Value(), CultureInfo.InvariantCulture) };
                    break;
                case "--connection-string":
                    options = options with { ConnectionString = Value() };
                    break;
                case "--trials":
                    options = options with { PropagationTrials = int.Parse(Value(), CultureInfo.InvariantCulture) };
                    break;
                case "--output":
                    options = options with { Output = Value() };
                    break;
                case "--soak":
                    options = options with { Soak = TimeSpan.FromMinutes(double.Parse(Value(), CultureInfo.InvariantCulture)) };
                    break;
                case "--help" or "-h":
                    throw new ArgumentException(Usage);
                default:
                    throw new ArgumentException($"Unknown option {args[i]}.\n{Usage}");
            }
        }

        if (options.Browsers < 1 || options.Soak <= TimeSpan.Zero || options.Rounds < 1 || options.Duration <= TimeSpan.Zero || options.StoredSessions.Count == 0
            || options.CleanupSessions < 1 || options.OutboxNotifications < 1 || options.GrowthRate <= 0 || options.GrowthWindow <= TimeSpan.Zero || options.GrowthRequests < 1)
        {
            throw new ArgumentException(Usage);
        }

        return options;
    }

    public const string Usage = """
        dotnet run -c Release --project bench/MultiSession.Bench -- [--quick] [--browsers N] [--warmup S] [--duration S] [--rounds N]
                                                                 [--sessions 1000,100000,1000000] [--only PARTS] [--output FILE]
                                                                 [--database sqlite,postgresql] [--connection-string CS] [--trials N]
                                                                 [--cleanup-sessions N] [--notifications N] [--growth-rate R]
                                                                 [--growth-window S] [--growth-requests N]
        dotnet run -c Release --project bench/MultiSession.Bench -- --hot-path [--iterations N] [--threads N]
        dotnet run -c Release --project bench/MultiSession.Bench -- --soak MINUTES [--browsers N] [--output FILE]
          --quick      0.75 s warm-up and 2 s per scenario and setup, one round, no growth part (under three minutes); the default
                       is the full run (3 s warm-up, 20 s per scenario, paired scenarios in four rounds B M M B B M M B; under
                       fifteen minutes, and the growth part another fifteen to twenty on 2 cores)
          --hot-path   only the cost of authenticating one request (baseline cookie, multi-session), on one thread, without HTTP;
                       --iterations N per pass (default 20000), --threads N at once (default 1; then µs = processor time)
          --database   sqlite (the default), postgresql, or both: on PostgreSQL also two instances on one database and the
                       revocation propagation delay between them (--trials N revocations; 200, or 40 with --quick); the server
                       is --connection-string CS (a database per host is created there) or a throw-away .ci/start-postgres cluster
          --soak       only the soak with faults (README "Soak with faults"): two IdP processes on a throw-away PostgreSQL
                       cluster, PostgreSQL stopped for 20 s and one instance killed midway, then the invariants; exit 1 if one fails
          --only       a comma-separated subset of flow,refresh,page (paired with the baseline),queries,accounts,stored,switch,growth;
                       with a long --duration, a steady load to profile (dotnet-counters, dotnet-trace) by the printed process id
          queries      the SQL commands EF Core executes per code flow, refresh and authenticated page on each setup (baseline,
                       peer, multi-session with and without the lookup cache), counted from EF Core's diagnostics while one
                       browser runs 50 operations (20 with --quick) in sequence against one host at a time; their time, and the
                       statements of the multi-session code flow and refresh against the baseline's
          growth       (full run and --only growth; not in --quick otherwise; SQLite): the IdP process's memory at each --sessions
                       size (the IdP in a process of its own), bytes allocated per page request and per authentication, the
                       expired-session cleanup of --cleanup-sessions N (1000000; 100000 with --quick) and the outbox delivering
                       --notifications N (10000; 1000 with --quick) to a local receiver, each under page requests at
                       --growth-rate R per browser and second (25), against a --growth-window S (15; 4 with --quick) before;
                       --growth-requests N page requests per browser before the memory is read (1000; 200 with --quick)
        """;
}
