using System.Data.Common;

namespace IdentityServer.MultiSession.Storage;

/// <summary>
/// <see cref="IUniqueConstraintViolationDetector"/> for providers that report the standard SQLSTATE (PostgreSQL through
/// Npgsql, among others): <c>23505</c>, unique_violation. Registered by default with the EF Core store.
/// </summary>
public sealed class SqlStateUniqueConstraintViolationDetector : IUniqueConstraintViolationDetector
{
    /// <summary>SQLSTATE <c>23505</c>: unique_violation.</summary>
    public const string UniqueViolation = "23505";

    /// <inheritdoc />
    public bool IsUniqueConstraintViolation(DbException exception) =>
        string.Equals(exception?.SqlState, UniqueViolation, StringComparison.Ordinal);
}
