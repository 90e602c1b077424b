namespace IdentityServer.MultiSession.Tests.Infrastructure;

/// <summary>The host on SQLite, as a class fixture.</summary>
public sealed class SqliteIdpFactory : IdpFactory;

/// <summary>The host on PostgreSQL, as a class fixture.</summary>
public sealed class PostgreSqlIdpFactory : IdpFactory
{
    public PostgreSqlIdpFactory()
    {
        Provider = "PostgreSQL";
    }
}
