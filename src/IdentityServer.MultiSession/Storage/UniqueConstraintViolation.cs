using System.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace IdentityServer.MultiSession.Storage;

/// <summary>
/// Recognises a unique-constraint violation (a concurrent sign-in took the slot or the user's place first) across providers,
/// so that only those are retried; any other database failure propagates at once.
/// </summary>
internal static class UniqueConstraintViolation
{
    private const string SqlStateUniqueViolation = "23505";

    public static bool Is(DbUpdateException exception)
    {
        if (exception.InnerException is not DbException db)
        {
            return false;
        }

        // PostgreSQL (and others that report SQLSTATE).
        if (db.SqlState == SqlStateUniqueViolation)
        {
            return true;
        }

        // SQLite: SQLITE_CONSTRAINT (19); SQL Server: 2601 (duplicate key in unique index) or 2627 (unique constraint).
        var type = db.GetType();
        if (type.GetProperty("SqliteErrorCode")?.GetValue(db) is int sqlite)
        {
            return sqlite == 19;
        }

        return type.GetProperty("Number")?.GetValue(db) is int number && number is 2601 or 2627;
    }

    /// <summary>A foreign-key violation: the row named a parent (a session) that a concurrent request removed.</summary>
    public static bool IsForeignKey(DbUpdateException exception)
    {
        if (exception.InnerException is not DbException db)
        {
            return false;
        }

        if (db.SqlState == "23503")
        {
            return true;
        }

        var type = db.GetType();
        if (type.GetProperty("SqliteErrorCode")?.GetValue(db) is int sqlite)
        {
            return sqlite == 19;
        }

        return type.GetProperty("Number")?.GetValue(db) is int number && number == 547;
    }
}
