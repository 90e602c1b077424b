using System.Data.Common;
using IdentityServer.MultiSession.Storage;
using Microsoft.Data.Sqlite;

namespace PackageConsumer;

/// <summary>SQLite's extended result codes for a violated unique index (2067) or primary key (1555).</summary>
public sealed class SqliteUniqueViolation : IUniqueConstraintViolationDetector
{
    public bool IsUniqueConstraintViolation(DbException exception) =>
        exception is SqliteException { SqliteExtendedErrorCode: 2067 or 1555 };
}
