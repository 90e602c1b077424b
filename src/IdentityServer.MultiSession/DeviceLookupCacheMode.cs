namespace IdentityServer.MultiSession;

/// <summary>
/// Whether ordinary pages may authenticate from an in-process cache of the device lookup (<see cref="MultiSessionOptions.DeviceLookupCache"/>).
/// The authorization, token and userinfo endpoints, the picker and the JSON API always read the database.
/// </summary>
public enum DeviceLookupCacheMode
{
    /// <summary>Every request reads the database: a revocation holds on every instance at the next request. The default.</summary>
    Off = 0,

    /// <summary>
    /// GET and HEAD requests to ordinary pages may be served from the cache. Every write through the store invalidates the
    /// device's entry on this instance in the same call. On PostgreSQL the other instances learn of every change through
    /// <c>LISTEN</c>/<c>NOTIFY</c> and fall back to the database whenever that channel is down or lags by more than
    /// <see cref="MultiSessionOptions.DeviceLookupCacheMaxStaleness"/>; on SQLite (one process) local invalidation suffices; on
    /// any other provider (SQL Server) the cache is never used.
    /// </summary>
    On = 1,
}
