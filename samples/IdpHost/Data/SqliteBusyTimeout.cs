using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace IdpHost.Data;

/// <summary>
/// Lets SQLite itself wait for a write lock held by another connection (<c>sqlite3_busy_timeout</c>: it retries after 1, 2, 5,
/// 10 ms and so on), instead of Microsoft.Data.Sqlite's own retry, which sleeps 150 ms at a time and holds the thread meanwhile.
/// Under concurrent sign-ins and token requests the latter turned sub-millisecond lock waits into 150 ms stalls (seen with
/// bench/MultiSession.Bench). It is a setting of the native connection, set on each open without a SQL statement.
/// </summary>
public sealed class SqliteBusyTimeout : DbConnectionInterceptor
{
    /// <summary>The instance to add to the SQLite context's options.</summary>
    public static SqliteBusyTimeout Instance { get; } = new(TimeSpan.FromSeconds(30));

    private readonly int _milliseconds;

    /// <summary>Creates the interceptor with the longest wait for a lock.</summary>
    public SqliteBusyTimeout(TimeSpan timeout) => _milliseconds = (int)timeout.TotalMilliseconds;

    /// <inheritdoc />
    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    /// <inheritdoc />
    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    private static readonly ConditionalWeakTable<SQLitePCL.sqlite3, object> Mapped = [];

    private void Apply(DbConnection connection)
    {
        if (connection is SqliteConnection { Handle: { } handle })
        {
            SQLitePCL.raw.sqlite3_busy_timeout(handle, _milliseconds);
            if (!Mapped.TryGetValue(handle, out _))
            {
                // Once per native connection (they are pooled): read the database through memory-mapped I/O.
                SQLitePCL.raw.sqlite3_exec(handle, "PRAGMA mmap_size = 2147418112;");
                Mapped.AddOrUpdate(handle, handle);
            }
        }
    }
}
