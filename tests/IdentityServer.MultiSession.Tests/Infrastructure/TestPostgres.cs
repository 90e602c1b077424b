using Npgsql;

namespace IdentityServer.MultiSession.Tests.Infrastructure;

/// <summary>
/// The PostgreSQL server the tests use: the connection string in <c>MULTISESSION_POSTGRES</c> (set by <c>.ci/start-postgres</c>).
/// Each test host or harness gets a database of its own, dropped afterwards. Without a server the PostgreSQL tests are skipped on a
/// developer machine, and fail when <c>CI=true</c>.
/// </summary>
public static class TestPostgres
{
    public const string EnvironmentVariable = "MULTISESSION_POSTGRES";

    public static string? Server => Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } value ? value : null;

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Skips (developer machine) or fails (CI) when no PostgreSQL server is configured.</summary>
    public static void Require()
    {
        if (Server is not null)
        {
            return;
        }

        if (IsCi)
        {
            throw new InvalidOperationException($"CI=true but {EnvironmentVariable} is not set: .ci/run starts PostgreSQL with .ci/start-postgres; a PostgreSQL test must not be skipped in CI.");
        }

        Skip.If(true, $"PostgreSQL is not available: run `eval \"$(bash .ci/start-postgres)\"` to start one and set {EnvironmentVariable}.");
    }

    /// <summary>A connection string to a new, not yet created, database on the server.</summary>
    public static string NewDatabase()
    {
        var builder = new NpgsqlConnectionStringBuilder(Server ?? throw new InvalidOperationException($"{EnvironmentVariable} is not set."))
        {
            Database = "ms_" + Guid.NewGuid().ToString("N")[..20],
        };
        return builder.ConnectionString;
    }

    /// <summary>Drops the database of <paramref name="connectionString"/>, closing its connections.</summary>
    public static void Drop(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var database = builder.Database!;
        NpgsqlConnection.ClearAllPools();
        builder.Database = "postgres";
        builder.Pooling = false;
        try
        {
            using var connection = new NpgsqlConnection(builder.ConnectionString);
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)";
            command.ExecuteNonQuery();
        }
        catch (NpgsqlException)
        {
            // The server may already be gone at the end of a run; the cluster is thrown away anyway.
        }
    }
}
