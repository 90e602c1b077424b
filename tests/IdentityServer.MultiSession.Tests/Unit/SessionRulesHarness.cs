using System.Security.Claims;
using IdentityServer.MultiSession.Sessions;
using IdentityServer.MultiSession.Storage;
using Microsoft.AspNetCore.Http;
using IdentityServer.MultiSession.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Net.Http.Headers;

namespace IdentityServer.MultiSession.Tests.Unit;

/// <summary>The session service and the EF Core store over a real in-memory SQLite database kept open, with a fake clock.</summary>
public sealed class SessionRulesHarness : IAsyncDisposable
{
    private readonly SqliteConnection? _connection;
    private readonly string? _postgres;
    private readonly ServiceProvider _services;

    private SessionRulesHarness(SqliteConnection? connection, string? postgres, ServiceProvider services, FakeTimeProvider time)
    {
        _connection = connection;
        _postgres = postgres;
        _services = services;
        Time = time;
    }

    public FakeTimeProvider Time { get; }

    /// <summary>A harness on <paramref name="provider"/>: <c>Sqlite</c> (in memory) or <c>PostgreSQL</c> (a database of its own).</summary>
    public static async Task<SessionRulesHarness> CreateAsync(string provider, Action<MultiSessionOptions>? configure = null)
    {
        SqliteConnection? connection = null;
        string? postgres = null;
        if (provider == "PostgreSQL")
        {
            TestPostgres.Require();
            postgres = TestPostgres.NewDatabase();
        }
        else
        {
            connection = new SqliteConnection("Data Source=:memory:");
            await connection.OpenAsync();
        }

        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
        var services = new ServiceCollection();
        services.AddDataProtection().UseEphemeralDataProtectionProvider();
        services
            .AddLogging()
            .AddSingleton<TimeProvider>(time)
            .AddSingleton<IUniqueConstraintViolationDetector, SqlStateUniqueConstraintViolationDetector>()
            .AddSingleton<IUniqueConstraintViolationDetector, IdpHost.Data.SqliteUniqueConstraintViolationDetector>()
            .AddDbContext<RulesDbContext>(o =>
            {
                if (connection is not null)
                {
                    o.UseSqlite(connection);
                }
                else
                {
                    o.UseNpgsql(postgres);
                }
            })
            .AddScoped<IDeviceSessionStore, EntityFrameworkDeviceSessionStore<RulesDbContext>>()
            .AddScoped<IDeviceSessionService, DefaultDeviceSessionService>();
        services.AddOptions<MultiSessionOptions>().Configure(o =>
        {
            o.CookieName = "device";
            o.CookieSecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.UserIdClaimType = ClaimTypes.NameIdentifier;
            o.UserNameClaimType = ClaimTypes.Name;
            o.EmailClaimType = ClaimTypes.Email;
            configure?.Invoke(o);
        });
        var serviceProvider = services.BuildServiceProvider(validateScopes: true);
        await using (var scope = serviceProvider.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<RulesDbContext>().Database.EnsureCreatedAsync();
        }

        return new SessionRulesHarness(connection, postgres, serviceProvider, time);
    }

    public Device NewDevice() => new(this);

    /// <summary>The options in force (tests may change them, as a configuration reload would).</summary>
    public MultiSessionOptions Options => _services.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<MultiSessionOptions>>().CurrentValue;

    public async Task<T> WithStoreServiceAsync<T>(Func<IDeviceSessionStore, Task<T>> action)
    {
        await using var scope = _services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<IDeviceSessionStore>());
    }

    public async Task<T> WithStoreAsync<T>(Func<RulesDbContext, Task<T>> action)
    {
        await using var scope = _services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<RulesDbContext>());
    }

    public async Task<int> RevokeUserAsync(string userId)
    {
        await using var scope = _services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IDeviceSessionService>().RevokeUserSessionsAsync(userId);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        if (_postgres is not null)
        {
            TestPostgres.Drop(_postgres);
        }
    }

    public static ClaimsPrincipal Principal(string user) => new(new ClaimsIdentity(
    [
        new Claim(ClaimTypes.NameIdentifier, "id-" + user),
        new Claim(ClaimTypes.Name, user),
        new Claim(ClaimTypes.Email, user + "@example.com"),
        new Claim("name", char.ToUpperInvariant(user[0]) + user[1..]),
    ], "Identity.Application"));

    /// <summary>One browser: it keeps the device cookie the service sets.</summary>
    public sealed class Device(SessionRulesHarness harness)
    {
        public string? Cookie { get; private set; }

        public async Task<T> RunAsync<T>(Func<IDeviceSessionService, HttpContext, Task<T>> action)
        {
            await using var scope = harness._services.CreateAsyncScope();
            var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
            if (Cookie is not null)
            {
                context.Request.Headers.Cookie = $"device={Cookie}";
            }

            var result = await action(scope.ServiceProvider.GetRequiredService<IDeviceSessionService>(), context);
            foreach (var header in SetCookieHeaderValue.ParseList(context.Response.Headers.SetCookie.Select(v => v!).ToList()))
            {
                if (header.Name == "device")
                {
                    Cookie = header.Expires is { } expires && expires < DateTimeOffset.UnixEpoch.AddYears(1) ? null : header.Value.ToString();
                }
            }

            return result;
        }

        public Task<DeviceSession> SignInAsync(string user) => RunAsync((s, c) => s.SignInAsync(c, Principal(user)));

        public Task<IReadOnlyList<DeviceSession>> ListAsync() => RunAsync((s, c) => s.ListAsync(c));

        public Task<DeviceSession?> SetActiveAsync(string token) => RunAsync((s, c) => s.SetActiveAsync(c, token));

        public Task<bool> RevokeAsync(string token) => RunAsync((s, c) => s.RevokeAsync(c, token));

        public Task<DeviceSessionTicket?> AuthenticateAsync(string? sessionId = null) => RunAsync((s, c) => s.AuthenticateAsync(c, sessionId));

        public async Task<string[]> UsersAsync() => (await ListAsync()).Select(s => s.UserName!).ToArray();
    }
}

public sealed class RulesDbContext(DbContextOptions<RulesDbContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.UseMultiSession();
}
