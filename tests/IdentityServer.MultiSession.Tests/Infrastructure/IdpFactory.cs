using IdpHost.Data;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
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

    public IdpFactory()
    {
        Directory.CreateDirectory(_directory);
    }

    /// <summary>Extra configuration, set before the host starts.</summary>
    public Dictionary<string, string?> Settings { get; } = new(StringComparer.Ordinal);

    /// <summary>The environment; Development by default (plain HTTP, cookies without Secure).</summary>
    public string EnvironmentName { get; init; } = "Development";

    /// <summary>When set, the host's <see cref="TimeProvider"/> is this fake clock.</summary>
    public FakeTimeProvider? Time { get; init; }

    public string DatabasePath => Path.Combine(_directory, "idp.db");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(EnvironmentName);
        builder.UseSetting("ConnectionStrings:DefaultConnection", $"Data Source={DatabasePath}");
        builder.UseSetting("Oidc:UseEphemeralKeys", "true");
        builder.UseSetting("Clients:1:ClientId", ClientId);
        builder.UseSetting("Clients:1:RedirectUris:0", RedirectUri);
        builder.UseSetting("Clients:1:PostLogoutRedirectUris:0", PostLogoutRedirectUri);
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services =>
        {
            if (Time is not null)
            {
                services.AddSingleton<TimeProvider>(Time);
            }
        });
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
