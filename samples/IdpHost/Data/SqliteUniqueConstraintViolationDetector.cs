using System.Data.Common;
using IdentityServer.MultiSession.Storage;
using Microsoft.Data.Sqlite;

namespace IdpHost.Data;

/// <summary>
/// Unique-constraint violations on SQLite: the extended result codes <c>SQLITE_CONSTRAINT_UNIQUE</c> (2067) and
/// <c>SQLITE_CONSTRAINT_PRIMARYKEY</c> (1555).
/// </summary>
public sealed class SqliteUniqueConstraintViolationDetector : IUniqueConstraintViolationDetector
{
    private const int ConstraintUnique = 2067;
    private const int ConstraintPrimaryKey = 1555;

    /// <inheritdoc />
    public bool IsUniqueConstraintViolation(DbException exception) =>
        exception is SqliteException { SqliteExtendedErrorCode: ConstraintUnique or ConstraintPrimaryKey };
}
