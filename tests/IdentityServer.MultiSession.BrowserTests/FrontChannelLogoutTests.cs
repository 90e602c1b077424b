using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using IdentityServer.MultiSession.BrowserTests.Infrastructure;
using IdpHost.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using static Microsoft.Playwright.Assertions;

namespace IdentityServer.MultiSession.BrowserTests;

/// <summary>
/// Per-account front-channel logout in a real browser: two client apps (two client ids, on <c>localhost</c> and
/// <c>127.0.0.2</c>, while the IdP runs on <c>127.0.0.1</c>), each registered with a front-channel logout URI on its own host,
/// signed in as alice and bob in one browser. Signing bob out in the IdP's picker makes the browser load bob's client's
/// front-channel logout URI, with the IdP's <c>iss</c> and the <c>sid</c> bob's client received, in a frame the picker's
/// Content-Security-Policy allows, and bob's client app (the sample's <c>GET /frontchannel-logout</c>) ends his local session;
/// alice's client gets no front-channel request and she stays signed in there.
/// </summary>
public sealed class FrontChannelLogoutTests : IAsyncLifetime
{
    private const string FrontChannelPath = "/frontchannel-logout";

    private readonly List<IAsyncDisposable> _servers = [];
    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private FrontChannelIdp _idp = default!;
    private FrontChannelClient _aliceApp = default!;
    private FrontChannelClient _bobApp = default!;

    public async Task InitializeAsync()
    {
        var chromium = Chromium.Locate();
        var alicePort = ClientServer.FreePort();
        var bobPort = ClientServer.FreePort();
        var aliceOrigin = $"http://localhost:{alicePort}";
        var bobOrigin = $"http://127.0.0.2:{bobPort}";
        _idp = new FrontChannelIdp(("alice-app", aliceOrigin), ("bob-app", bobOrigin));
        _servers.Add(_idp);
        _idp.Start();
        _aliceApp = new FrontChannelClient("alice-app", aliceOrigin, IPAddress.Loopback, alicePort, _idp.Url);
        _servers.Add(_aliceApp);
        _aliceApp.Start();
        _bobApp = new FrontChannelClient("bob-app", bobOrigin, IPAddress.Parse("127.0.0.2"), bobPort, _idp.Url);
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

    [Fact]
    public async Task Bob_signed_out_in_the_picker_has_the_browser_load_his_clients_front_channel_logout_uri_with_iss_and_his_sid_which_signs_him_out_there_and_alices_client_gets_none()
    {
        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions { Locale = "en-US" });
        context.SetDefaultTimeout(20_000);
        var page = await context.NewPageAsync();

        // Every request the browser makes (frames included) and every console message of the page (CSP violations among them).
        var browserRequests = new ConcurrentQueue<string>();
        context.Request += (_, request) => browserRequests.Enqueue(request.Url);
        var console = new ConcurrentQueue<string>();
        page.Console += (_, message) => console.Enqueue(message.Text);

        // Alice at her app.
        await page.GotoAsync(_aliceApp.Origin + "/");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await SubmitLoginAsync(page, "alice");
        await page.WaitForURLAsync(new Regex("^" + Regex.Escape(_aliceApp.Origin) + @"/(\?.*)?$"));
        await Expect(page.Locator("#user-email")).ToHaveTextAsync("alice@example.com");
        var aliceSid = (await page.Locator("#user-sid").TextContentAsync())!.Trim();

        // Bob at his app; the IdP already holds alice on this browser, so he adds his account.
        await page.GotoAsync(_bobApp.Origin + "/");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await page.WaitForURLAsync(new Regex("^" + Regex.Escape(_bobApp.Origin) + "|/Account/Login|/MultiSession/Accounts"));
        if (page.Url.StartsWith(_bobApp.Origin, StringComparison.Ordinal))
        {
            // The IdP handed the active account (alice) to bob's app: sign in with another account instead.
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in with another account", Exact = true }).ClickAsync();
        }

        await SubmitLoginAsync(page, "bob");
        await page.WaitForURLAsync(new Regex("^" + Regex.Escape(_bobApp.Origin) + @"/(\?.*)?$"));
        await Expect(page.Locator("#user-email")).ToHaveTextAsync("bob@example.com");
        var bobSid = (await page.Locator("#user-sid").TextContentAsync())!.Trim();
        Assert.False(string.IsNullOrEmpty(bobSid), "Bob's client shows no sid.");
        Assert.NotEqual(aliceSid, bobSid);

        var issuer = await ReadIssuerAsync();
        Assert.Empty(_aliceApp.FrontChannelRequests);
        Assert.Empty(_bobApp.FrontChannelRequests);
        browserRequests.Clear();
        console.Clear();

        // Bob signs out in the picker; the picker comes back with the front-channel frames.
        await page.GotoAsync(_idp.Url + "/MultiSession/Accounts");
        await page.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Sign out of .*bob@example.com") }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/MultiSession/Accounts"));
        await Expect(page.Locator("iframe.ms-frontchannel-logout")).ToHaveCountAsync(1);

        for (var i = 0; i < 50 && _bobApp.FrontChannelRequests.IsEmpty; i++)
        {
            await Task.Delay(100);
        }

        // The picker's Content-Security-Policy let the frame load: no violation reported.
        Assert.DoesNotContain(console, m => m.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase)
            || m.Contains("Refused to frame", StringComparison.OrdinalIgnoreCase));

        // The receiver on bob's client's host got exactly one request, with the IdP's issuer and bob's sid.
        var received = Assert.Single(_bobApp.FrontChannelRequests);
        Assert.Equal(issuer, received.Iss);
        Assert.Equal(bobSid, received.Sid);
        Assert.Equal(200, received.Status);

        // The browser made that request itself (from the picker's frame), and none to alice's client's front-channel URI.
        var frontChannel = browserRequests.Where(u => new Uri(u).AbsolutePath == FrontChannelPath).ToList();
        var request = Assert.Single(frontChannel);
        Assert.StartsWith(_bobApp.Origin + FrontChannelPath + "?", request, StringComparison.Ordinal);
        Assert.DoesNotContain(browserRequests, u => u.StartsWith(_aliceApp.Origin, StringComparison.Ordinal));
        Assert.Empty(_aliceApp.FrontChannelRequests);

        // Alice is still signed in at the IdP and at her app.
        await Expect(page.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Continue as .*alice@example.com") })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Continue as .*bob@example.com") })).ToHaveCountAsync(0);
        await page.GotoAsync(_aliceApp.Origin + "/");
        await Expect(page.Locator("#user-email")).ToHaveTextAsync("alice@example.com");

        // Bob's client app ended his local session when its front-channel endpoint was loaded: his next page load is signed out.
        await page.GotoAsync(_bobApp.Origin + "/");
        await Expect(page.Locator("#signed-out")).ToHaveTextAsync("You are not signed in.");
        await context.CloseAsync();
    }

    private static async Task SubmitLoginAsync(IPage page, string user)
    {
        await page.WaitForURLAsync(new Regex("/Account/Login"));
        await page.Locator("#username").FillAsync(user);
        await page.Locator("#password").FillAsync(DemoUsers.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
    }

    private async Task<string> ReadIssuerAsync()
    {
        using var http = new HttpClient();
        var discovery = await http.GetFromJsonAsync<JsonElement>(_idp.Url + "/.well-known/openid-configuration");
        return discovery.GetProperty("issuer").GetString()!;
    }

    /// <summary>The IdP on 127.0.0.1 with two clients registered for front-channel logout on their own hosts.</summary>
    private sealed class FrontChannelIdp : WebApplicationFactory<Program>
    {
        private readonly string _directory = Path.Combine(Path.GetTempPath(), "multisession-browser-frontchannel", Guid.NewGuid().ToString("N"));
        private readonly (string ClientId, string Origin)[] _clients;

        public FrontChannelIdp(params (string ClientId, string Origin)[] clients)
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
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            for (var i = 0; i < _clients.Length; i++)
            {
                var (clientId, origin) = _clients[i];
                builder.UseSetting($"Clients:{i + 1}:ClientId", clientId);
                builder.UseSetting($"Clients:{i + 1}:RedirectUris:0", $"{origin}/signin-oidc");
                builder.UseSetting($"Clients:{i + 1}:PostLogoutRedirectUris:0", $"{origin}/signout-callback-oidc");
                builder.UseSetting($"Clients:{i + 1}:FrontChannelLogoutUri", $"{origin}{FrontChannelPath}");
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

    /// <summary>
    /// The ClientApp sample under its own client id, on its own loopback address, with a recorder in front of its pipeline that
    /// notes every request to its front-channel logout endpoint (<c>iss</c>, <c>sid</c>, and the endpoint's answer).
    /// </summary>
    private sealed class FrontChannelClient : WebApplicationFactory<ClientApp.Program>
    {
        private readonly string _clientId;
        private readonly string _authority;

        public FrontChannelClient(string clientId, string origin, IPAddress address, int port, string authority)
        {
            _clientId = clientId;
            _authority = authority;
            Origin = origin;
            UseKestrel(options => options.Listen(address, port));
        }

        public string Origin { get; }

        public ConcurrentQueue<(string? Iss, string? Sid, int Status)> FrontChannelRequests { get; } = new();

        public void Start() => StartServer();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Development");
            builder.UseSetting("Oidc:Authority", _authority);
            builder.UseSetting("Oidc:ClientId", _clientId);
            builder.UseSetting("Oidc:RequireHttpsMetadata", "false");
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            builder.ConfigureServices(services => services.AddSingleton<IStartupFilter>(new Receiver(FrontChannelRequests)));
        }

        private sealed class Receiver(ConcurrentQueue<(string? Iss, string? Sid, int Status)> requests) : IStartupFilter
        {
            public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
            {
                app.Use(async (context, inner) =>
                {
                    await inner(context);
                    if (context.Request.Path == FrontChannelPath)
                    {
                        requests.Enqueue((context.Request.Query["iss"].ToString(), context.Request.Query["sid"].ToString(), context.Response.StatusCode));
                    }
                });
                next(app);
            };
        }
    }
}
