namespace IdpHost.Data;

/// <summary>The database providers the IdP runs on (<c>Database:Provider</c>).</summary>
public enum DatabaseProvider
{
    /// <summary>SQLite, a file next to the app; the default.</summary>
    Sqlite,

    /// <summary>Microsoft SQL Server.</summary>
    SqlServer,

    /// <summary>PostgreSQL.</summary>
    PostgreSQL,
}
