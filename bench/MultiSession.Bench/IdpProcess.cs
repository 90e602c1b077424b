using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace MultiSession.Bench;

/// <summary>The memory of one IdP process: from <c>/proc/PID/status</c>, and the managed heap after a forced full GC.</summary>
/// <remarks>
/// VmRSS is RssAnon (the GC's heap, native allocations such as SQLite's page cache) + RssFile (mapped files: the runtime's and
/// the application's assemblies, the SQLite database the host maps) + RssShmem (the runtime's double-mapped executable code).
/// </remarks>
internal sealed record ProcessMemory(long VmRssBytes, long RssAnonBytes, long RssFileBytes, long RssShmemBytes, long VmHwmBytes, long ManagedHeapBytes, long GcCommittedBytes);

/// <summary>
/// The real IdpHost as a process of its own (<c>dotnet exec IdpHost.dll</c> from the bench's output, content root
/// samples/IdpHost), multi-session on, Development, a fresh SQLite file, ephemeral keys, the bench's client, logging at Warning:
/// the set-up of <see cref="IdpServer"/>, but measurable on its own. The bench's assembly is loaded into it as a startup hook
/// (<see cref="StartupHook"/>) so that a full GC can be forced there before its memory is read.
/// </summary>
internal sealed class IdpProcess : IDisposable
{
    private readonly string _probe;
    private readonly Queue<string> _output = new();
    private Process? _process;

    public IdpProcess(string name, string directory, string repositoryRoot)
    {
        Name = name;
        DatabasePath = Path.Combine(directory, name + ".db");
        ContentRoot = Path.Combine(repositoryRoot, "samples", "IdpHost");
        _probe = Path.Combine(directory, name + "-probe");
        Directory.CreateDirectory(_probe);
    }

    public string Name { get; }

    public string DatabasePath { get; }

    public string ContentRoot { get; }

    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");

    public int ProcessId => _process?.Id ?? 0;

    /// <summary>Starts the process on a free port of 127.0.0.1 and waits until its login page answers.</summary>
    public async Task<Uri> StartAsync()
    {
        var port = FreePort();
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
        var bench = typeof(IdpProcess).Assembly.Location;
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Directory.Exists(ContentRoot) ? ContentRoot : AppContext.BaseDirectory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "IdpHost.dll"));
        var environment = start.Environment;
        environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        environment["ASPNETCORE_URLS"] = BaseAddress.GetLeftPart(UriPartial.Authority);
        environment["DOTNET_STARTUP_HOOKS"] = bench;
        environment[StartupHook.ProbeVariable] = _probe;
        environment["MultiSession__Enabled"] = "true";
        environment["MultiSession__DeviceLookupCache"] = "Off";
        environment["Database__Provider"] = "Sqlite";
        environment["ConnectionStrings__DefaultConnection"] = $"Data Source={DatabasePath}";
        environment["Oidc__UseEphemeralKeys"] = "true";
        environment["Clients__1__ClientId"] = IdpServer.ClientId;
        environment["Clients__1__RedirectUris__0"] = IdpServer.RedirectUri;
        environment["Logging__LogLevel__Default"] = "Warning";
        environment["Logging__LogLevel__Microsoft.AspNetCore"] = "Warning";
        environment["LoginRateLimit__PermitLimit"] = "100000000";
        _process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromMinutes(3))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The IdP process {Name} ended with {_process.ExitCode}:\n{Tail()}");
            }

            try
            {
                using var response = await client.GetAsync("/Account/Login");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return BaseAddress;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Still starting.
            }

            await Task.Delay(250);
        }

        throw new InvalidOperationException($"The IdP process {Name} did not answer within 3 minutes:\n{Tail()}");
    }

    /// <summary>Forces two full compacting GCs in the process, then reads its memory.</summary>
    public async Task<ProcessMemory> MeasureAsync()
    {
        var answer = Path.Combine(_probe, "gc.answer");
        File.Delete(answer);
        await File.WriteAllTextAsync(Path.Combine(_probe, "gc.request"), string.Empty);
        var waited = Stopwatch.StartNew();
        while (!File.Exists(answer))
        {
            if (waited.Elapsed > TimeSpan.FromMinutes(1) || _process is null || _process.HasExited)
            {
                throw new InvalidOperationException($"The IdP process {Name} did not answer the GC request (is the startup hook loaded?):\n{Tail()}");
            }

            await Task.Delay(50);
        }

        var heap = (await File.ReadAllTextAsync(answer)).Split(' ').Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();

        // Let the collector's decommit of freed memory settle before reading the resident set.
        await Task.Delay(1000);
        var status = File.ReadAllLines($"/proc/{ProcessId}/status")
            .Select(l => l.Split(':', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1].Trim(), StringComparer.Ordinal);
        long Kilobytes(string key) => status.TryGetValue(key, out var value) ? long.Parse(value.Split(' ')[0], CultureInfo.InvariantCulture) * 1024 : 0;
        return new ProcessMemory(Kilobytes("VmRSS"), Kilobytes("RssAnon"), Kilobytes("RssFile"), Kilobytes("RssShmem"), Kilobytes("VmHWM"), heap[0], heap[1]);
    }

    public void Dispose()
    {
        if (_process is null)
        {
            return;
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(TimeSpan.FromSeconds(30));
        }

        _process.Dispose();
        _process = null;
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Enqueue(line);
            while (_output.Count > 40)
            {
                _output.Dequeue();
            }
        }
    }

    private string Tail()
    {
        lock (_output)
        {
            return string.Join('\n', _output);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
