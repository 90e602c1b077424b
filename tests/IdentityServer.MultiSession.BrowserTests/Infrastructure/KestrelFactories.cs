using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityServer.MultiSession.BrowserTests.Infrastructure;

/// <summary>
/// The real IdpHost on Kestrel at <c>http://127.0.0.1:{free port}</c>, in Development (plain HTTP), with ephemeral signing
/// keys, a SQLite file of its own, and the client app registered through configuration, as an operator would.
/// </summary>
public sealed class IdpServer : WebApplicationFactory<Program>
{
    /// <summary>The client id under which the tests' client app is registered.</summary>
    public const string ClientId = "browser-tests-client";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "multisession-browser-tests", Guid.NewGuid().ToString("N"));
    private readonly string _clientOrigin;
    private readonly IReadOnlyDictionary<string, string?> _settings;

    /// <summary>Creates the IdP for a client app at <paramref name="clientOrigin"/>; call <see cref="Start"/> next.</summary>
    /// <param name="clientOrigin">The client app's origin.</param>
    /// <param name="settings">Extra configuration of the IdP (a fixture of its own with other options).</param>
    public IdpServer(string clientOrigin, IReadOnlyDictionary<string, string?>? settings = null)
        : this(clientOrigin, localhostPort: null, settings)
    {
    }

    /// <summary>
    /// Creates the IdP for a client app at <paramref name="clientOrigin"/>, at <c>http://localhost:{localhostPort}</c> when a
    /// port is given (WebAuthn refuses IP-address origins: the passkey tests need a host name), else at 127.0.0.1.
    /// </summary>
    /// <param name="clientOrigin">The client app's origin.</param>
    /// <param name="localhostPort">The port on localhost, or <c>null</c> for a free port on 127.0.0.1.</param>
    /// <param name="settings">Extra configuration of the IdP.</param>
    public IdpServer(string clientOrigin, int? localhostPort, IReadOnlyDictionary<string, string?>? settings = null)
    {
        _clientOrigin = clientOrigin;
        _settings = settings ?? new Dictionary<string, string?>();
        Directory.CreateDirectory(_directory);
        UseKestrel(options =>
        {
            if (localhostPort is { } port)
            {
                options.ListenLocalhost(port);
            }
            else
            {
                options.Listen(IPAddress.Loopback, 0);
            }
        });
    }

    /// <summary>The IdP's address, such as <c>http://127.0.0.1:41234</c> (no trailing slash).</summary>
    public string Url { get; private set; } = string.Empty;

    /// <summary>Starts the server and reads the port it got.</summary>
    public IdpServer Start()
    {
        StartServer();
        Url = ServerUrl(Services);
        return this;
    }

    /// <inheritdoc />
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("ConnectionStrings:DefaultConnection", $"Data Source={Path.Combine(_directory, "idp.db")}");
        builder.UseSetting("Oidc:UseEphemeralKeys", "true");
        builder.UseSetting("Clients:1:ClientId", ClientId);
        builder.UseSetting("Clients:1:DisplayName", "Browser tests' client app");
        builder.UseSetting("Clients:1:RedirectUris:0", $"{_clientOrigin}/signin-oidc");
        builder.UseSetting("Clients:1:PostLogoutRedirectUris:0", $"{_clientOrigin}/signout-callback-oidc");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");

        // Every test's traffic comes from one loopback address: a generous login rate limit.
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

    internal static string ServerUrl(IServiceProvider services)
    {
        var addresses = services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        var address = addresses?.FirstOrDefault() ?? throw new InvalidOperationException("Kestrel reported no address.");
        return address.TrimEnd('/');
    }
}

/// <summary>
/// The ClientApp sample (Microsoft's OpenID Connect handler) on Kestrel at <c>http://localhost:{port}</c>. It runs on
/// <c>localhost</c> while the IdP runs on <c>127.0.0.1</c>: two cookie hosts and two sites, as a real client and a real IdP
/// would be, so that no cookie of one is ever sent to the other.
/// </summary>
public sealed class ClientServer : WebApplicationFactory<ClientApp.Program>
{
    private string _authority = string.Empty;

    /// <summary>Creates the client on <paramref name="port"/>; call <see cref="Start"/> once the IdP runs.</summary>
    public ClientServer(int port)
        : this(port, onLoopbackAddress: false)
    {
    }

    /// <summary>
    /// Creates the client on <paramref name="port"/>, at <c>http://127.0.0.1:{port}</c> with <paramref name="onLoopbackAddress"/>
    /// (beside an IdP on <c>localhost</c>: still two cookie hosts and two sites), else at <c>http://localhost:{port}</c>.
    /// </summary>
    public ClientServer(int port, bool onLoopbackAddress)
    {
        Url = onLoopbackAddress ? $"http://127.0.0.1:{port}" : $"http://localhost:{port}";
        UseKestrel(options =>
        {
            if (onLoopbackAddress)
            {
                options.Listen(IPAddress.Loopback, port);
            }
            else
            {
                options.ListenLocalhost(port);
            }
        });
    }

    /// <summary>The client's address, <c>http://localhost:{port}</c> (or <c>http://127.0.0.1:{port}</c>).</summary>
    public string Url { get; }

    /// <summary>Picks a port that is free now, for a client whose redirect URIs must be known before it starts.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts the client against the IdP at <paramref name="authority"/>.</summary>
    public ClientServer Start(string authority)
    {
        _authority = authority;
        StartServer();
        return this;
    }

    /// <inheritdoc />
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("Oidc:Authority", _authority);
        builder.UseSetting("Oidc:ClientId", IdpServer.ClientId);
        builder.UseSetting("Oidc:RequireHttpsMetadata", "false");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
    }
}
