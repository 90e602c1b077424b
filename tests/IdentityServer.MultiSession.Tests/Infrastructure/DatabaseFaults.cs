using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace IdentityServer.MultiSession.Tests.Infrastructure;

/// <summary>
/// Makes the real database fail on demand: every connection and command while <see cref="Down"/>, or only the commands whose
/// SQL contains <see cref="FailOn"/> (a failure in the middle of a request).
/// </summary>
public sealed class DatabaseFaults : IDbCommandInterceptor, IDbConnectionInterceptor
{
    private volatile bool _down;
    private volatile string? _failOn;

    public bool Down { get => _down; set => _down = value; }

    public string? FailOn { get => _failOn; set => _failOn = value; }

    public int Injected;

    public InterceptionResult ConnectionOpening(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        Check(null);
        return result;
    }

    public ValueTask<InterceptionResult> ConnectionOpeningAsync(DbConnection connection, ConnectionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default)
    {
        Check(null);
        return ValueTask.FromResult(result);
    }

    public InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        Check(command);
        return result;
    }

    public ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Check(command);
        return ValueTask.FromResult(result);
    }

    public InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        Check(command);
        return result;
    }

    public ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Check(command);
        return ValueTask.FromResult(result);
    }

    public InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        Check(command);
        return result;
    }

    public ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        Check(command);
        return ValueTask.FromResult(result);
    }

    private void Check(DbCommand? command)
    {
        if (_down || (command is not null && _failOn is { } text && command.CommandText.Contains(text, StringComparison.Ordinal)))
        {
            Interlocked.Increment(ref Injected);
            throw new SqliteException("Injected fault: the database is unavailable.", 10);
        }
    }
}
