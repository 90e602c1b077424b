using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;

namespace IdentityServer.MultiSession.BrowserTests.Infrastructure;

/// <summary>
/// Another real IdpHost on Kestrel, with a SQLite file of its own, in Development, listening where it is told (an address of
/// its own, so that its cookies are never sent to another IdP of the test) with extra configuration: the tests' upstream
/// provider, or an IdP that signs in through it.
/// </summary>
public sealed class ConfiguredIdpServer : WebApplicationFactory<Program>
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "multisession-browser-tests", Guid.NewGuid().ToString("N"));
    private readonly IReadOnlyDictionary<string, string> _settings;

    /// <summary>Creates the IdP on <paramref name="address"/>:<paramref name="port"/> (0: any free port); call <see cref="Start"/> next.</summary>
    public ConfiguredIdpServer(IPAddress address, int port, IReadOnlyDictionary<string, string> settings)
    {
        _settings = settings;
        Directory.CreateDirectory(_directory);
        UseKestrel(options => options.Listen(address, port));
    }

    /// <summary>The IdP's address, such as <c>http://127.0.0.2:41234</c> (no trailing slash).</summary>
    public string Url { get; private set; } = string.Empty;

    /// <summary>Starts the server and reads the port it got.</summary>
    public ConfiguredIdpServer Start()
    {
        StartServer();
        Url = IdpServer.ServerUrl(Services);
        return this;
    }

    /// <inheritdoc />
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("ConnectionStrings:DefaultConnection", $"Data Source={Path.Combine(_directory, "idp.db")}");
        builder.UseSetting("Oidc:UseEphemeralKeys", "true");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("LoginRateLimit:PermitLimit", "1000000");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
