using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace IdentityServer.MultiSession.Tests.Infrastructure;

/// <summary>One database command run while serving a recorded request, with SQLite's query plan when asked for.</summary>
public sealed record RecordedCommand(string Sql, IReadOnlyList<string> Plan);

/// <summary>
/// Records the database commands that EF Core runs while serving requests that carry the <see cref="Header"/> header: a
/// middleware put first in the pipeline opens a recording for the request (an <see cref="AsyncLocal{T}"/>, so background work and
/// other requests are not counted), and this interceptor adds each command to it. On SQLite it can also record each command's
/// <c>EXPLAIN QUERY PLAN</c>, to show that a lookup seeks by index instead of scanning a table.
/// </summary>
public sealed class CommandRecorder : DbCommandInterceptor, IStartupFilter
{
    public const string Header = "X-Test-Record-Commands";

    private static readonly AsyncLocal<List<RecordedCommand>?> Current = new();

    private readonly ConcurrentDictionary<string, List<RecordedCommand>> _recordings = new(StringComparer.Ordinal);

    /// <summary>Also records SQLite's query plan of each single-statement command.</summary>
    public bool ExplainSqlite { get; set; }

    /// <summary>Starts recording the requests that <paramref name="client"/> sends; dispose the result to stop, then read it.</summary>
    public Recording Start(HttpClient client)
    {
        var id = Guid.NewGuid().ToString("N");
        var commands = _recordings.GetOrAdd(id, _ => []);
        client.DefaultRequestHeaders.Remove(Header);
        client.DefaultRequestHeaders.Add(Header, id);
        return new Recording(client, commands);
    }

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, nextMiddleware) =>
        {
            if (context.Request.Headers.TryGetValue(Header, out var id) && _recordings.TryGetValue(id.ToString(), out var commands))
            {
                Current.Value = commands;
            }

            await nextMiddleware(context);
        });
        next(app);
    };

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        Record(command);
        return result;
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Record(command);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        Record(command);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Record(command);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        Record(command);
        return result;
    }

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        Record(command);
        return ValueTask.FromResult(result);
    }

    private void Record(DbCommand command)
    {
        var commands = Current.Value;
        if (commands is null)
        {
            return;
        }

        var plan = ExplainSqlite && command is SqliteCommand sqlite ? Explain(sqlite) : [];
        lock (commands)
        {
            commands.Add(new RecordedCommand(command.CommandText, plan));
        }
    }

    private static List<string> Explain(SqliteCommand command)
    {
        // EXPLAIN QUERY PLAN never runs its statement; only single statements are explained (a second one would run).
        var text = command.CommandText.Trim().TrimEnd(';');
        if (text.Contains(';', StringComparison.Ordinal) || command.Connection is null)
        {
            return [];
        }

        using var explain = command.Connection.CreateCommand();
        explain.Transaction = command.Transaction;
        explain.CommandText = "EXPLAIN QUERY PLAN " + text;
        foreach (SqliteParameter parameter in command.Parameters)
        {
            explain.Parameters.Add(new SqliteParameter(parameter.ParameterName, parameter.Value ?? DBNull.Value));
        }

        var plan = new List<string>();
        using var reader = explain.ExecuteReader();
        while (reader.Read())
        {
            plan.Add(reader.GetString(reader.FieldCount - 1));
        }

        return plan;
    }

    /// <summary>An open recording.</summary>
    public sealed class Recording(HttpClient client, List<RecordedCommand> commands) : IDisposable
    {
        /// <summary>The commands recorded so far.</summary>
        public IReadOnlyList<RecordedCommand> Commands
        {
            get
            {
                lock (commands)
                {
                    return commands.ToList();
                }
            }
        }

        public void Dispose() => client.DefaultRequestHeaders.Remove(Header);
    }
}
