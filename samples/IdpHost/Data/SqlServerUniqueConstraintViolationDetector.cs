using System.Data.Common;
using IdentityServer.MultiSession.Storage;
using Microsoft.Data.SqlClient;

namespace IdpHost.Data;

/// <summary>
/// Unique-constraint violations on SQL Server: error 2601 (duplicate key in a unique index) and 2627 (violation of a unique or
/// primary key constraint).
/// </summary>
public sealed class SqlServerUniqueConstraintViolationDetector : IUniqueConstraintViolationDetector
{
    /// <inheritdoc />
    public bool IsUniqueConstraintViolation(DbException exception) =>
        exception is SqlException { Number: 2601 or 2627 };
}
