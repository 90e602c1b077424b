using System.Diagnostics;
using Npgsql;

namespace MultiSession.Bench;

/// <summary>
/// The PostgreSQL server of a run: the one given with <c>--connection-string</c>, or a throw-away cluster started with the
/// repository's <c>.ci/start-postgres</c> (stopped at the end). Every host or pair of hosts gets a database of its own.
/// </summary>
internal sealed partial class BenchPostgres : IDisposable
{
    private readonly string? _dataDirectory;
    private readonly string? _binDirectory;
    private readonly List<string> _databases = [];

    private BenchPostgres(string server, string? dataDirectory, string? binDirectory)
    {
        Server = server;
        _dataDirectory = dataDirectory;
        _binDirectory = binDirectory;
    }

    public string Server { get; }

    public string Description => _dataDirectory is null ? "the PostgreSQL server given" : "a throw-away PostgreSQL cluster (.ci/start-postgres)";

    public static BenchPostgres Start(string? connectionString, string repositoryRoot)
    {
        if (connectionString is not null)
        {
            return new BenchPostgres(connectionString, null, null);
        }

        var script = Path.Combine(repositoryRoot, ".ci", "start-postgres");
        if (!File.Exists(script))
        {
            throw new InvalidOperationException($"No --connection-string and no {script} to start a cluster with.");
        }

        var start = new ProcessStartInfo("bash", [script]) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = repositoryRoot };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("bash did not start.");
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($".ci/start-postgres failed: {error}");
        }

        string Variable(string name) => output.Split('\n')
            .Select(line => line.Trim())
            .Where(line => line.StartsWith($"export {name}=", StringComparison.Ordinal))
            .Select(line => line[$"export {name}=".Length..].Trim('\''))
            .FirstOrDefault() ?? throw new InvalidOperationException($".ci/start-postgres printed no {name}.");
        return new BenchPostgres(Variable("MULTISESSION_POSTGRES"), Variable("MULTISESSION_PGDATA"), Variable("MULTISESSION_PGBIN"));
    }

    /// <summary>A connection string to a new, empty database (the host creates its tables).</summary>
    public string NewDatabase(string name)
    {
        var builder = new NpgsqlConnectionStringBuilder(Server)
        {
            Database = ("bench_" + name.Replace('-', '_') + "_" + Guid.NewGuid().ToString("N")[..8]).ToLowerInvariant(),
            MaxPoolSize = 64,
        };
        _databases.Add(builder.Database!);
        return builder.ConnectionString;
    }

    public void Dispose()
    {
        NpgsqlConnection.ClearAllPools();
        if (_dataDirectory is not null && _binDirectory is not null)
        {
            var pgctl = Path.Combine(_binDirectory, "pg_ctl");
            string[] arguments = ["-D", _dataDirectory, "-m", "immediate", "stop"];
            var stop = Environment.UserName == "root" ? new ProcessStartInfo("runuser", ["-u", "postgres", "--", pgctl, .. arguments]) : new ProcessStartInfo(pgctl, arguments);
            stop.RedirectStandardOutput = true;
            stop.RedirectStandardError = true;
            using var process = Process.Start(stop);
            process?.WaitForExit(30_000);
            return;
        }

        // A server we were given: drop what we created.
        var admin = new NpgsqlConnectionStringBuilder(Server) { Database = "postgres", Pooling = false };
        foreach (var database in _databases)
        {
            try
            {
                using var connection = new NpgsqlConnection(admin.ConnectionString);
                connection.Open();
                using var command = connection.CreateCommand();
                command.CommandText = $"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)";
                command.ExecuteNonQuery();
            }
            catch (NpgsqlException)
            {
            }
        }
    }
}
