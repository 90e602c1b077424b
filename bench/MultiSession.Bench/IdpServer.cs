using System.Net;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MultiSession.Bench;

/// <summary>How an IdP host of the bench is set up.</summary>
internal enum HostKind
{
    /// <summary>The stock single-account set-up: Identity's application cookie (<c>MultiSession:Enabled=false</c>), stateless.</summary>
    Baseline,

    /// <summary>The server-side-session peer: the stock cookie with an EF Core <see cref="EfTicketStore"/> as its session store.</summary>
    Peer,

    /// <summary>Multi-session, the device looked up in the database on every request (the default).</summary>
    MultiSession,

    /// <summary>Multi-session with <c>MultiSession:DeviceLookupCache=On</c>.</summary>
    MultiSessionCached,
}

/// <summary>
/// The real IdpHost (samples/IdpHost: its Program, configuration, OpenIddict, Identity, pages) on Kestrel at 127.0.0.1, on a
/// fresh SQLite file of its own or a PostgreSQL database (two instances may share one), with ephemeral signing keys and the
/// bench's public client.
/// </summary>
internal sealed class IdpServer : WebApplicationFactory<Program>
{
    public const string ClientId = "bench-client";
    public const string RedirectUri = "http://127.0.0.1/bench-callback";

    public IdpServer(string name, bool multiSession, string directory)
        : this(name, multiSession ? HostKind.MultiSession : HostKind.Baseline, directory, postgresConnectionString: null)
    {
    }

    /// <param name="postgresConnectionString">A PostgreSQL database, or <c>null</c> for a SQLite file in <paramref name="directory"/>.</param>
    public IdpServer(string name, HostKind kind, string directory, string? postgresConnectionString)
    {
        Name = name;
        Kind = kind;
        DatabasePath = Path.Combine(directory, name + ".db");
        PostgresConnectionString = postgresConnectionString;
    }

    public string Name { get; }

    public HostKind Kind { get; }

    public bool MultiSession => Kind is HostKind.MultiSession or HostKind.MultiSessionCached;

    public string DatabasePath { get; }

    public string? PostgresConnectionString { get; }

    public string Database => PostgresConnectionString is null ? "SQLite" : "PostgreSQL";

    /// <summary>More configuration of the host (applied last, over the bench's own settings), set before <see cref="Start"/>.</summary>
    public Dictionary<string, string> Settings { get; } = new(StringComparer.Ordinal);

    /// <summary>The base address Kestrel listens on, once started.</summary>
    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");

    /// <summary>Starts Kestrel on a free port of 127.0.0.1; the host migrates its database and seeds the demo users.</summary>
    public Uri Start()
    {
        UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()
            ?? throw new InvalidOperationException("Kestrel reports no address.");
        BaseAddress = new Uri(addresses.Addresses.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/");
        if (Kind == HostKind.Peer)
        {
            // The peer's ticket table, next to the IdP's tables (created once; a second instance on the database finds it).
            using var scope = Services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<IDbContextFactory<TicketDbContext>>().CreateDbContext();
            try
            {
                db.GetService<IRelationalDatabaseCreator>().CreateTables();
            }
            catch (Exception exception) when (exception is Microsoft.Data.Sqlite.SqliteException or Npgsql.PostgresException)
            {
                // Already there.
            }
        }

        return BaseAddress;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // Development: plain HTTP on 127.0.0.1 is allowed (OpenIddict's transport security, cookies without Secure).
        builder.UseEnvironment("Development");
        builder.UseSetting("MultiSession:Enabled", MultiSession ? "true" : "false");
        builder.UseSetting("MultiSession:DeviceLookupCache", Kind == HostKind.MultiSessionCached ? "On" : "Off");
        var connectionString = PostgresConnectionString ?? $"Data Source={DatabasePath}";
        builder.UseSetting("Database:Provider", PostgresConnectionString is null ? "Sqlite" : "PostgreSQL");
        builder.UseSetting("ConnectionStrings:DefaultConnection", connectionString);
        builder.UseSetting("Oidc:UseEphemeralKeys", "true");
        builder.UseSetting("Clients:1:ClientId", ClientId);
        builder.UseSetting("Clients:1:RedirectUris:0", RedirectUri);

        // Logging must not dominate what is measured: warnings and errors only.
        builder.UseSetting("Logging:LogLevel:Default", "Warning");

        // The bench signs in thousands of times from one loopback address: no login rate limit in the way.
        builder.UseSetting("LoginRateLimit:PermitLimit", "100000000");
        builder.UseSetting("Logging:LogLevel:Microsoft.AspNetCore", "Warning");
        builder.UseSetting("Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command", "Warning");
        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }

        if (Kind == HostKind.Peer)
        {
            builder.ConfigureTestServices(services =>
            {
                services.AddPooledDbContextFactory<TicketDbContext>(options =>
                {
                    if (PostgresConnectionString is null)
                    {
                        options.UseSqlite(connectionString);
                    }
                    else
                    {
                        options.UseNpgsql(connectionString);
                    }
                });
                services.AddSingleton<EfTicketStore>();
                services.AddOptions<CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme)
                    .Configure<EfTicketStore>((options, store) => options.SessionStore = store);
            });
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        SqliteConnection.ClearAllPools();
    }
}
