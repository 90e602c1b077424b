namespace IdentityServer.MultiSession.Storage;

/// <summary>How the lookup cache of this instance learns of changes made by other instances.</summary>
internal enum DeviceLookupCacheChannel
{
    /// <summary>Not known yet (no lookup has run): the cache is not used.</summary>
    Undecided = 0,

    /// <summary>One process owns the database (SQLite): local invalidation suffices.</summary>
    Local = 1,

    /// <summary>PostgreSQL <c>LISTEN</c>/<c>NOTIFY</c>: usable only while the channel is up and its heartbeat is fresh.</summary>
    Notifications = 2,

    /// <summary>No change channel for this provider (SQL Server and others): the cache is never used.</summary>
    None = 3,
}
