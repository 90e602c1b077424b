using IdpHost.Data;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace IdentityServer.MultiSession.Tests.Infrastructure;

/// <summary>
/// The real IdpHost (OpenIddict, Identity, multi-session) over a real SQLite file of its own, in Development, with
/// ephemeral signing keys and a public test client.
/// </summary>
public class IdpFactory : WebApplicationFactory<Program>
{
    public const string ClientId = "test-client";
    public const string RedirectUri = "http://localhost/callback";
    public const string PostLogoutRedirectUri = "http://localhost/signed-out";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "multisession-tests", Guid.NewGuid().ToString("N"));

    private string? _postgres;

    public IdpFactory()
    {
        Directory.CreateDirectory(_directory);
    }

    /// <summary>The database provider: <c>Sqlite</c> (a file of its own) or <c>PostgreSQL</c> (a database of its own).</summary>
    public string Provider { get; init; } = "Sqlite";

    /// <summary>Use this connection string instead of a database of the factory's own (several instances, one database).</summary>
    public string? ConnectionString { get; init; }

    /// <summary>When <c>true</c>, no connection string is given: the host's own default (or its refusal) applies.</summary>
    public bool OmitConnectionString { get; init; }

    /// <summary>Skips or fails the calling test when its database server is not available.</summary>
    public void RequireDatabase()
    {
        if (Provider == "PostgreSQL")
        {
            TestPostgres.Require();
        }
    }

    /// <summary>Extra configuration, set before the host starts.</summary>
    public Dictionary<string, string?> Settings { get; } = new(StringComparer.Ordinal);

    /// <summary>The environment; Development by default (plain HTTP, cookies without Secure).</summary>
    public string EnvironmentName { get; init; } = "Development";

    /// <summary>When set, the host's <see cref="TimeProvider"/> is this fake clock.</summary>
    public FakeTimeProvider? Time { get; init; }

    public string DatabasePath => Path.Combine(_directory, "idp.db");

    /// <summary>Faults injected into the host's database commands and connections.</summary>
    public DatabaseFaults Faults { get; } = new();

    /// <summary>How many password-hash verifications the host made.</summary>
    public PasswordHashCounter PasswordHashes { get; } = new();

    /// <summary>The host's warnings and errors.</summary>
    public CapturedLog Log { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(EnvironmentName);
        builder.UseSetting("Database:Provider", Provider);
        if (!OmitConnectionString)
        {
            builder.UseSetting("ConnectionStrings:DefaultConnection", ConnectionString ?? (Provider == "PostgreSQL"
                ? _postgres ??= TestPostgres.NewDatabase()
                : $"Data Source={DatabasePath}"));
        }

        builder.UseSetting("Oidc:UseEphemeralKeys", "true");
        builder.UseSetting("Clients:1:ClientId", ClientId);
        builder.UseSetting("Clients:1:RedirectUris:0", RedirectUri);
        builder.UseSetting("Clients:1:PostLogoutRedirectUris:0", PostLogoutRedirectUri);
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        if (EnvironmentName != "Development")
        {
            builder.UseSetting("DataProtection:Certificate:Path", KeyRingCertificate());
            builder.UseSetting("DataProtection:Certificate:Password", "key-ring");
            builder.UseSetting("Passkeys:Origin", "https://localhost");
        }


        // Every test's traffic comes from one address: the login rate limit is generous unless a test sets its own.
        builder.UseSetting("LoginRateLimit:PermitLimit", "1000000");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.AddProvider(Log));
        builder.ConfigureTestServices(services =>
        {
            if (Time is not null)
            {
                services.AddSingleton<TimeProvider>(Time);
            }

            services.AddScoped<Microsoft.AspNetCore.Identity.IPasswordHasher<ApplicationUser>>(sp => new CountingPasswordHasher(
                new Microsoft.AspNetCore.Identity.PasswordHasher<ApplicationUser>(sp.GetService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Identity.PasswordHasherOptions>>()),
                PasswordHashes));
            services.ConfigureDbContext<SqliteApplicationDbContext>(options => options.AddInterceptors(Faults));
            services.ConfigureDbContext<PostgreSqlApplicationDbContext>(options => options.AddInterceptors(Faults));
        });
    }

    /// <summary>A self-signed certificate for the data-protection key ring (outside Development the host requires one).</summary>
    private string KeyRingCertificate()
    {
        var path = Path.Combine(_directory, "key-ring.pfx");
        if (!File.Exists(path))
        {
            using var rsa = System.Security.Cryptography.RSA.Create(2048);
            var request = new System.Security.Cryptography.X509Certificates.CertificateRequest(
                "CN=MultiSession test key ring", rsa, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
            File.WriteAllBytes(path, certificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx, "key-ring"));
        }

        return path;
    }

    /// <summary>A new browser: its own cookie jar, no automatic redirects.</summary>
    public TestBrowser CreateBrowser() => new(this);

    internal HttpClient CreateClientWith(System.Net.CookieContainer cookies) =>
        CreateDefaultClient(new Uri("http://localhost"), new CookieContainerHandler(cookies));

    /// <summary>Runs <paramref name="action"/> with the host's database context.</summary>
    public async Task<T> WithDatabaseAsync<T>(Func<ApplicationDbContext, Task<T>> action)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ApplicationDbContext>();
        return await action(db);
    }

    /// <summary>Counts the rows of the session tables: (devices, sessions).</summary>
    public Task<(int Devices, int Sessions)> CountRowsAsync() => WithDatabaseAsync(async db =>
        (await db.Set<Storage.DeviceEntity>().CountAsync(), await db.Set<Storage.DeviceSessionEntity>().CountAsync()));

    /// <summary>
    /// Waits (up to 5 s) for the background cleanup, which runs on its own timer, to leave <paramref name="expected"/> rows;
    /// returns the last count seen.
    /// </summary>
    public async Task<(int Devices, int Sessions)> WaitForRowsAsync((int Devices, int Sessions) expected)
    {
        var rows = await CountRowsAsync();
        for (var i = 0; i < 100 && rows != expected; i++)
        {
            await Task.Delay(50);
            rows = await CountRowsAsync();
        }

        return rows;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        SqliteConnection.ClearAllPools();
        if (_postgres is not null)
        {
            TestPostgres.Drop(_postgres);
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a late background task; the temporary folder is cleaned by the system.
        }
    }
}
