using System.Net;
using System.Text.RegularExpressions;
using IdentityServer.MultiSession.BrowserTests.Infrastructure;
using IdpHost.Data;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using static Microsoft.Playwright.Assertions;

namespace IdentityServer.MultiSession.BrowserTests;

/// <summary>
/// Per-account back-channel logout in a real browser: two client apps (two client ids, on <c>localhost</c> and
/// <c>127.0.0.2</c>, while the IdP runs on <c>127.0.0.1</c>) signed in as alice and bob in one browser; bob signed out in the
/// IdP's picker is signed out of his client app at its next page load, and alice stays signed in at hers.
/// </summary>
public sealed class BackChannelLogoutTests : IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _servers = [];
    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private LogoutIdp _idp = default!;
    private LogoutClient _aliceApp = default!;
    private LogoutClient _bobApp = default!;

    public async Task InitializeAsync()
    {
        var chromium = Chromium.Locate();
        var alicePort = ClientServer.FreePort();
        var bobPort = ClientServer.FreePort();
        var aliceOrigin = $"http://localhost:{alicePort}";
        var bobOrigin = $"http://127.0.0.2:{bobPort}";
        _idp = new LogoutIdp(("alice-app", aliceOrigin), ("bob-app", bobOrigin));
        _servers.Add(_idp);
        _idp.Start();
        _aliceApp = new LogoutClient("alice-app", aliceOrigin, IPAddress.Loopback, alicePort, _idp.Url);
        _servers.Add(_aliceApp);
        _aliceApp.Start();
        _bobApp = new LogoutClient("bob-app", bobOrigin, IPAddress.Parse("127.0.0.2"), bobPort, _idp.Url);
        _servers.Add(_bobApp);
        _bobApp.Start();
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(Chromium.LaunchOptions(chromium));
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }
    }

    private static async Task SignInAsync(IPage page, string origin, string user, bool another)
    {
        await page.GotoAsync(origin + "/");
        await page.GetByRole(AriaRole.Button, new() { Name = another ? "Sign in with another account" : "Sign in", Exact = true }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/Account/Login"));
        await page.Locator("#username").FillAsync(user);
        await page.Locator("#password").FillAsync(DemoUsers.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await page.WaitForURLAsync(new Regex("^" + Regex.Escape(origin) + @"/(\?.*)?$"));
        await Expect(page.Locator("#user-email")).ToHaveTextAsync($"{user}@example.com");
    }

    [Fact]
    public async Task Bob_signed_out_in_the_picker_is_signed_out_of_his_client_app_and_alice_stays_signed_in_at_hers()
    {
        var context = await _browser!.NewContextAsync();
        context.SetDefaultTimeout(20_000);
        var page = await context.NewPageAsync();
        await SignInAsync(page, _aliceApp.Origin, "alice", another: false);

        // Bob signs in at the second app; the IdP already holds alice on this browser, so he adds his account.
        await page.GotoAsync(_bobApp.Origin + "/");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await page.WaitForURLAsync(new Regex("^" + Regex.Escape(_aliceApp.Origin) + "|^" + Regex.Escape(_bobApp.Origin) + "|/Account/Login"));
        if (page.Url.StartsWith(_bobApp.Origin, StringComparison.Ordinal))
        {
            // The IdP handed the active account (alice) to bob's app: sign in with another account instead.
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in with another account", Exact = true }).ClickAsync();
        }

        await page.WaitForURLAsync(new Regex("/Account/Login"));
        await page.Locator("#username").FillAsync("bob");
        await page.Locator("#password").FillAsync(DemoUsers.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await page.WaitForURLAsync(new Regex("^" + Regex.Escape(_bobApp.Origin) + @"/(\?.*)?$"));
        await Expect(page.Locator("#user-email")).ToHaveTextAsync("bob@example.com");

        await page.GotoAsync(_idp.Url + "/MultiSession/Accounts");
        await page.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Sign out of .*bob@example.com") }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/MultiSession/Accounts"));

        // The logout token travels server to server within the sender's poll interval; the next page load shows it.
        await page.GotoAsync(_bobApp.Origin + "/");
        for (var i = 0; i < 50 && await page.Locator("#signed-out").CountAsync() == 0; i++)
        {
            await Task.Delay(200);
            await page.ReloadAsync();
        }

        await Expect(page.Locator("#signed-out")).ToHaveTextAsync("You are not signed in.");
        await page.GotoAsync(_aliceApp.Origin + "/");
        await Expect(page.Locator("#user-email")).ToHaveTextAsync("alice@example.com");
        await context.CloseAsync();
    }

    /// <summary>The IdP on 127.0.0.1 with two clients registered for back-channel logout, and a fast sender.</summary>
    private sealed class LogoutIdp : WebApplicationFactory<Program>
    {
        private readonly string _directory = Path.Combine(Path.GetTempPath(), "multisession-browser-logout", Guid.NewGuid().ToString("N"));
        private readonly (string ClientId, string Origin)[] _clients;

        public LogoutIdp(params (string ClientId, string Origin)[] clients)
        {
            _clients = clients;
            Directory.CreateDirectory(_directory);
            UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        }

        public string Url { get; private set; } = string.Empty;

        public void Start()
        {
            StartServer();
            Url = IdpServer.ServerUrl(Services);
        }

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Development");
            builder.UseSetting("ConnectionStrings:DefaultConnection", $"Data Source={Path.Combine(_directory, "idp.db")}");
            builder.UseSetting("Oidc:UseEphemeralKeys", "true");
            builder.UseSetting("MultiSession:BackChannelLogout:PollInterval", "00:00:00.200");
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            for (var i = 0; i < _clients.Length; i++)
            {
                var (clientId, origin) = _clients[i];
                builder.UseSetting($"Clients:{i + 1}:ClientId", clientId);
                builder.UseSetting($"Clients:{i + 1}:RedirectUris:0", $"{origin}/signin-oidc");
                builder.UseSetting($"Clients:{i + 1}:PostLogoutRedirectUris:0", $"{origin}/signout-callback-oidc");
                builder.UseSetting($"Clients:{i + 1}:BackChannelLogoutUri", $"{origin}/backchannel-logout");
            }
        }

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

    /// <summary>The ClientApp sample under its own client id, on its own loopback address.</summary>
    private sealed class LogoutClient : WebApplicationFactory<ClientApp.Program>
    {
        private readonly string _clientId;
        private readonly string _authority;

        public LogoutClient(string clientId, string origin, IPAddress address, int port, string authority)
        {
            _clientId = clientId;
            _authority = authority;
            Origin = origin;
            UseKestrel(options => options.Listen(address, port));
        }

        public string Origin { get; }

        public void Start() => StartServer();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Development");
            builder.UseSetting("Oidc:Authority", _authority);
            builder.UseSetting("Oidc:ClientId", _clientId);
            builder.UseSetting("Oidc:RequireHttpsMetadata", "false");
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
        }
    }
}
