using System.Data.Common;

namespace IdentityServer.MultiSession.Storage;

/// <summary>
/// Recognises a unique-constraint violation by its database provider's documented error code, so that the store retries only
/// the sign-ins that lost a race for a unique index and lets every other database failure propagate. One is registered per
/// provider the host uses (<see cref="EntityFrameworkCoreMultiSessionBuilderExtensions.AddUniqueConstraintViolationDetector{TDetector}"/>); the store
/// itself references no provider's client library.
/// </summary>
public interface IUniqueConstraintViolationDetector
{
    /// <summary><c>true</c> when <paramref name="exception"/> reports a violated unique index or key.</summary>
    bool IsUniqueConstraintViolation(DbException exception);
}
