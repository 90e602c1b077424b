using System.Globalization;

/// <summary>
/// Loaded into the IdP's own process by the growth part (<c>DOTNET_STARTUP_HOOKS</c> naming this assembly; see
/// <see cref="MultiSession.Bench.IdpProcess"/>): a background thread that, when the bench drops a request file into the folder
/// named by <c>MULTISESSION_BENCH_PROBE</c>, forces two full compacting collections and answers with the managed heap's size,
/// so that the bench can read the process's resident memory after a full GC without any endpoint in the IdP. The type has no
/// namespace because the runtime looks startup hooks up by that exact name.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1050:Declare types in namespaces", Justification = "The runtime finds a startup hook by the type name StartupHook without a namespace.")]
internal static class StartupHook
{
    public const string ProbeVariable = "MULTISESSION_BENCH_PROBE";

    public static void Initialize()
    {
        var directory = Environment.GetEnvironmentVariable(ProbeVariable);
        if (string.IsNullOrEmpty(directory))
        {
            return;
        }

        new Thread(() => Probe(directory)) { IsBackground = true, Name = "MultiSession.Bench probe" }.Start();
    }

    private static void Probe(string directory)
    {
        var request = Path.Combine(directory, "gc.request");
        var answer = Path.Combine(directory, "gc.answer");
        while (true)
        {
            Thread.Sleep(100);
            if (!File.Exists(request))
            {
                continue;
            }

            File.Delete(request);
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            var info = GC.GetGCMemoryInfo();
            var temporary = answer + ".tmp";
            File.WriteAllText(temporary, string.Create(CultureInfo.InvariantCulture, $"{info.HeapSizeBytes} {info.TotalCommittedBytes} {GC.GetTotalMemory(false)}"));
            File.Move(temporary, answer, overwrite: true);
        }
    }
}
