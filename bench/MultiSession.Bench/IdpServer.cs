using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MultiSession.Bench;

/// <summary>
/// The real IdpHost (samples/IdpHost: its Program, configuration, OpenIddict, Identity, pages) on Kestrel at 127.0.0.1, on a
/// fresh SQLite file of its own, with ephemeral signing keys and the bench's public client. <see cref="MultiSession"/> false
/// starts the single-account baseline (<c>MultiSession:Enabled=false</c>: Identity's stock application cookie).
/// </summary>
internal sealed class IdpServer : WebApplicationFactory<Program>
{
    public const string ClientId = "bench-client";
    public const string RedirectUri = "http://127.0.0.1/bench-callback";

    public IdpServer(string name, bool multiSession, string directory)
    {
        Name = name;
        MultiSession = multiSession;
        DatabasePath = Path.Combine(directory, name + ".db");
    }

    public string Name { get; }

    public bool MultiSession { get; }

    public string DatabasePath { get; }

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
        return BaseAddress;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // Development: plain HTTP on 127.0.0.1 is allowed (OpenIddict's transport security, cookies without Secure).
        builder.UseEnvironment("Development");
        builder.UseSetting("MultiSession:Enabled", MultiSession ? "true" : "false");
        builder.UseSetting("Database:Provider", "Sqlite");
        builder.UseSetting("ConnectionStrings:DefaultConnection", $"Data Source={DatabasePath}");
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
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        SqliteConnection.ClearAllPools();
    }
}
