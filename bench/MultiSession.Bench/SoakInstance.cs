using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace MultiSession.Bench;

/// <summary>
/// One IdP instance of the soak as a process of its own: the sample's built output (<c>samples/IdpHost</c>, run with
/// <c>dotnet IdpHost.dll</c>) in Development on a fixed loopback port (kept across a restart, so that its browsers find it
/// again), on the shared PostgreSQL database, with ephemeral keys, the soak client (its back-channel logout URI pointing at
/// the bench's receiver) and logging at Warning into a file. It can be killed (SIGKILL, no chance to clean up) and started
/// again; its resident set size is read from <c>/proc/PID/status</c>, for the invariant after two full compacting GCs forced
/// inside the process through the bench's startup hook (<see cref="StartupHook"/>), so that the comparison measures what the
/// process keeps, not how much the collector happens to hold committed at that moment.
/// </summary>
internal sealed class SoakInstance : IDisposable
{
    private readonly string _hostDll;
    private readonly string _connectionString;
    private readonly Uri _logoutUri;
    private readonly string _log;
    private readonly string _probe;
    private Process? _process;

    public SoakInstance(string name, string hostDll, string connectionString, Uri logoutUri, string directory)
    {
        Name = name;
        _hostDll = hostDll;
        _connectionString = connectionString;
        _logoutUri = logoutUri;
        _log = Path.Combine(directory, name + ".log");
        _probe = Path.Combine(directory, name + ".probe");
        Directory.CreateDirectory(_probe);
        BaseAddress = new Uri($"http://127.0.0.1:{FreePort()}/");
    }

    public string Name { get; }

    public Uri BaseAddress { get; }

    public int? ProcessId => _process is { HasExited: false } process ? process.Id : null;

    /// <summary>How many processes this instance has had (2 after a kill and restart).</summary>
    public int Lives { get; private set; }

    public string LogPath => _log;

    /// <summary>Starts the process and waits until <c>/healthz</c> answers 200 (the host has migrated, seeded and listens).</summary>
    public async Task StartAsync(TimeSpan within)
    {
        var start = new ProcessStartInfo("bash")
        {
            WorkingDirectory = Path.GetDirectoryName(_hostDll)!,
            UseShellExecute = false,
        };

        // exec: the process id is the host's own; its output is appended to the instance's log file.
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec \"$0\" \"$@\" >>\"$SOAK_LOG\" 2>&1");
        start.ArgumentList.Add(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } dotnet && File.Exists(dotnet) ? dotnet : "dotnet");
        start.ArgumentList.Add(_hostDll);
        foreach (var (key, value) in Settings())
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        start.Environment["SOAK_LOG"] = _log;
        start.Environment["DOTNET_STARTUP_HOOKS"] = typeof(SoakInstance).Assembly.Location;
        start.Environment[StartupHook.ProbeVariable] = _probe;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["ConnectionStrings__DefaultConnection"] = _connectionString;
        start.Environment.Remove("ASPNETCORE_URLS");
        start.Environment.Remove("DOTNET_URLS");
        _process = Process.Start(start) ?? throw new InvalidOperationException($"{Name} did not start.");
        Lives++;

        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < within)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with {_process.ExitCode} while starting; see {_log}.");
            }

            try
            {
                using var health = await client.GetAsync("/healthz");
                if (health.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            await Task.Delay(250);
        }

        throw new InvalidOperationException($"{Name} did not answer /healthz within {within.TotalSeconds:0} s; see {_log}.");
    }

    /// <summary>Kills the process at once (SIGKILL), as a crash would.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }
    }

    /// <summary>The process's resident set size in bytes (<c>VmRSS</c>), or <c>null</c> when it does not run.</summary>
    public long? ResidentBytes()
    {
        if (ProcessId is not { } pid)
        {
            return null;
        }

        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? null : long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>
    /// The resident set size, the managed heap and the GC's committed memory after two full compacting GCs forced inside the
    /// process (all <c>null</c> when it does not run or does not answer within 30 s).
    /// </summary>
    public async Task<(long? Rss, long? Heap, long? Committed)> MemoryAfterFullGcAsync()
    {
        var answer = Path.Combine(_probe, "gc.answer");
        File.Delete(answer);
        await File.WriteAllTextAsync(Path.Combine(_probe, "gc.request"), string.Empty);
        var waited = Stopwatch.StartNew();
        while (!File.Exists(answer))
        {
            if (waited.Elapsed > TimeSpan.FromSeconds(30) || ProcessId is null)
            {
                return (null, null, null);
            }

            await Task.Delay(50);
        }

        var heap = (await File.ReadAllTextAsync(answer)).Split(' ').Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();

        // Let the collector's decommit of freed memory settle before reading the resident set.
        await Task.Delay(1000);
        return (ResidentBytes(), heap[0], heap[1]);
    }

    public void Dispose()
    {
        Kill();
        _process?.Dispose();
    }

    private IEnumerable<(string Key, string Value)> Settings()
    {
        yield return ("urls", BaseAddress.ToString().TrimEnd('/'));
        yield return ("Database:Provider", "PostgreSQL");
        yield return ("Oidc:UseEphemeralKeys", "true");
        yield return ("MultiSession:MaximumSessions", SoakRun.Limit.ToString(CultureInfo.InvariantCulture));
        yield return ("MultiSession:OnLimitReached", "Reject");
        yield return ("MultiSession:BackChannelLogout:Issuer", BaseAddress.ToString());
        yield return ("Clients:1:ClientId", SoakBrowser.ClientId);
        yield return ("Clients:1:RedirectUris:0", SoakBrowser.RedirectUri);
        yield return ("Clients:1:BackChannelLogoutUri", _logoutUri.ToString());
        yield return ("Clients:1:BackChannelLogoutSessionRequired", "true");

        // Thousands of sign-ins from one loopback address: no login rate limit in the way.
        yield return ("LoginRateLimit:PermitLimit", "100000000");
        yield return ("Logging:LogLevel:Default", "Warning");
        yield return ("Logging:LogLevel:Microsoft.AspNetCore", "Warning");
        yield return ("Logging:Console:FormatterName", "simple");
        yield return ("Logging:Console:FormatterOptions:TimestampFormat", "HH:mm:ss.fff ");
        yield return ("Logging:Console:FormatterOptions:ColorBehavior", "Disabled");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
