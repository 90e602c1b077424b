using System.Data.Common;
using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace MultiSession.Bench;

/// <summary>
/// Counts the SQL commands EF Core executes in this process, from its diagnostics (the DiagnosticListener
/// <c>Microsoft.EntityFrameworkCore</c>, event <see cref="RelationalEventId.CommandExecuted"/>): while a database is being
/// watched, each command on it is recorded with its text and the duration EF reports (until the command returned, a reader
/// before its rows are read). Commands executed while an HTTP request is served are told apart from the others (background
/// services: the outbox poll, the cleanup), through the request's <see cref="HttpContextAccessor"/> flow.
/// </summary>
internal sealed class SqlCommandCounter : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private static readonly string EventName = RelationalEventId.CommandExecuted.Name!;
    private readonly object _gate = new();
    private readonly List<IDisposable> _subscriptions = [];
    private readonly HttpContextAccessor _requests = new();
    private readonly List<(string Text, double Milliseconds)> _commands = [];
    private string? _database;
    private int _background;

    public SqlCommandCounter()
    {
        var all = DiagnosticListener.AllListeners.Subscribe(this);
        lock (_gate)
        {
            _subscriptions.Add(all);
        }
    }

    /// <summary>Starts recording the commands on <paramref name="database"/> (see <see cref="DatabaseOf(DbConnection)"/>), forgetting earlier ones.</summary>
    public void Watch(string database)
    {
        lock (_gate)
        {
            _commands.Clear();
            _background = 0;
            _database = database;
        }
    }

    /// <summary>Stops recording; returns the commands executed during requests, and how many ran outside a request.</summary>
    public (IReadOnlyList<(string Text, double Milliseconds)> Commands, int Background) Stop()
    {
        lock (_gate)
        {
            _database = null;
            return (_commands.ToList(), _background);
        }
    }

    /// <summary>The name a host's database goes by: the SQLite file's name, or the PostgreSQL database's name.</summary>
    public static string DatabaseOf(IdpServer server) =>
        server.PostgresConnectionString is { } connectionString
            ? new Npgsql.NpgsqlConnectionStringBuilder(connectionString).Database ?? string.Empty
            : Path.GetFileName(server.DatabasePath);

    private static string DatabaseOf(DbConnection connection) =>
        connection is SqliteConnection sqlite ? Path.GetFileName(sqlite.DataSource) : connection.Database;

    void IObserver<DiagnosticListener>.OnNext(DiagnosticListener value)
    {
        if (value.Name == Microsoft.EntityFrameworkCore.DbLoggerCategory.Name)
        {
            lock (_gate)
            {
                _subscriptions.Add(value.Subscribe(this, name => name == EventName));
            }
        }
    }

    void IObserver<KeyValuePair<string, object?>>.OnNext(KeyValuePair<string, object?> value)
    {
        if (value.Key != EventName || value.Value is not CommandExecutedEventData data || data.Command.Connection is not { } connection)
        {
            return;
        }

        lock (_gate)
        {
            if (_database is null || DatabaseOf(connection) != _database)
            {
                return;
            }

            if (_requests.HttpContext is null)
            {
                _background++;
                return;
            }

            _commands.Add((data.Command.CommandText, data.Duration.TotalMilliseconds));
        }
    }

    void IObserver<DiagnosticListener>.OnCompleted()
    {
    }

    void IObserver<DiagnosticListener>.OnError(Exception error)
    {
    }

    void IObserver<KeyValuePair<string, object?>>.OnCompleted()
    {
    }

    void IObserver<KeyValuePair<string, object?>>.OnError(Exception error)
    {
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var subscription in _subscriptions)
            {
                subscription.Dispose();
            }

            _subscriptions.Clear();
        }
    }
}
