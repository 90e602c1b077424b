using System.Diagnostics;
using System.Text.RegularExpressions;

namespace MultiSession.Bench;

/// <summary>The soak's fault: the throw-away cluster stopped and started again with <c>pg_ctl</c>, as .ci/start-postgres runs it.</summary>
internal sealed partial class BenchPostgres
{
    /// <summary>Whether this run started the cluster itself (only then may the soak stop it).</summary>
    public bool CanStopAndStart => _dataDirectory is not null && _binDirectory is not null;

    /// <summary>Stops the cluster (<c>-m fast</c>: open connections are ended, as in a server restart) and waits until it is down.</summary>
    public void StopServer() => PgCtl(["-D", _dataDirectory!, "-m", "fast", "-w", "-t", "60", "stop"]);

    /// <summary>Starts the cluster again with the options it was started with (its <c>postmaster.opts</c>) and waits until it accepts connections.</summary>
    public void StartServer()
    {
        // postmaster.opts: the server binary, then each argument in double quotes; -D is given to pg_ctl itself.
        var arguments = QuotedArgument().Matches(File.ReadAllText(Path.Combine(_dataDirectory!, "postmaster.opts")))
            .Select(m => m.Groups[1].Value).ToList();
        var data = arguments.IndexOf("-D");
        if (data >= 0)
        {
            arguments.RemoveRange(data, 2);
        }

        var options = string.Join(' ', arguments.Select(a => "\"" + a + "\""));
        PgCtl(["-D", _dataDirectory!, "-l", Path.Combine(Path.GetDirectoryName(_dataDirectory!)!, "server.log"), "-w", "-t", "60", "-o", options, "start"]);
    }

    private void PgCtl(string[] arguments)
    {
        var pgctl = Path.Combine(_binDirectory!, "pg_ctl");
        var start = Environment.UserName == "root" ? new ProcessStartInfo("runuser", ["-u", "postgres", "--", pgctl, .. arguments]) : new ProcessStartInfo(pgctl, arguments);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start) ?? throw new InvalidOperationException("pg_ctl did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(90_000) || process.ExitCode != 0)
        {
            throw new InvalidOperationException($"pg_ctl {arguments[^1]} failed: {output.Result}{error.Result}");
        }
    }

    [GeneratedRegex("\"((?:[^\"\\\\]|\\\\.)*)\"")]
    private static partial Regex QuotedArgument();
}
