using System.Net;
using System.Text.RegularExpressions;
using Deque.AxeCore.Playwright;
using IdentityServer.MultiSession.BrowserTests.Infrastructure;
using IdpHost.Data;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using static Microsoft.Playwright.Assertions;

namespace IdentityServer.MultiSession.BrowserTests;

/// <summary>
/// The switch policy in Chromium: with <c>MultiSession:ReauthenticateAfter=00:00:00</c> the administrator alice is marked in the
/// picker ("Sign in again to use"), at 1280 and 390 px, axe finds no violation, nothing scrolls sideways, and picking her
/// opens the login form with her name filled in.
/// </summary>
public sealed class SwitchPolicyBrowserTests : IAsyncLifetime
{
    private SwitchPolicyIdp _idp = default!;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public async Task InitializeAsync()
    {
        var chromium = Chromium.Locate();
        _idp = new SwitchPolicyIdp();
        _idp.Start();
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
        await _idp.DisposeAsync();
    }

    [Theory]
    [InlineData(1280)]
    [InlineData(390)]
    public async Task The_picker_marks_an_administrator_who_must_sign_in_again_and_axe_finds_no_violation(int width)
    {
        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = 800 }, Locale = "en-US" });
        context.SetDefaultTimeout(20_000);
        var page = await context.NewPageAsync();
        foreach (var user in new[] { "alice", "bob" })
        {
            await page.GotoAsync(_idp.Url + "/Account/Login");
            await page.Locator("#username").FillAsync(user);
            await page.Locator("#password").FillAsync(DemoUsers.Password);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
            await page.WaitForURLAsync(_idp.Url + "/");
        }

        await page.GotoAsync(_idp.Url + "/MultiSession/Accounts");
        var alice = page.Locator("li.ms-account", new() { Has = page.GetByRole(AriaRole.Button, new() { Name = "Continue as Alice Anderson (alice@example.com)", Exact = true }) });
        await Expect(alice.Locator(".ms-badge-reauth")).ToHaveTextAsync("Sign in again to use");
        await Expect(page.Locator(".ms-badge-reauth")).ToHaveCountAsync(1);

        var result = await page.RunAxe();
        Assert.True(result.Violations.Length == 0, $"axe found on the picker at {width} px: " + string.Join("; ", result.Violations.Select(v => $"{v.Impact} {v.Id} ({v.Help})")));
        var overflow = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]");
        Assert.True(overflow[0] <= overflow[1], $"The picker at {width} px scrolls sideways: scrollWidth {overflow[0]} > clientWidth {overflow[1]}");

        await alice.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Continue as ") }).ClickAsync();
        await page.WaitForURLAsync(new Regex("^" + Regex.Escape(_idp.Url) + "/Account/Login"));
        await Expect(page.Locator("#username")).ToHaveValueAsync("alice@example.com");
        await context.CloseAsync();
    }

    /// <summary>The IdP on Kestrel with the switch policy asking on every switch.</summary>
    private sealed class SwitchPolicyIdp : WebApplicationFactory<Program>
    {
        private readonly string _directory = Path.Combine(Path.GetTempPath(), "multisession-browser-tests", Guid.NewGuid().ToString("N"));

        public SwitchPolicyIdp()
        {
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
            builder.UseSetting("LoginRateLimit:PermitLimit", "1000000");
            builder.UseSetting("MultiSession:ReauthenticateAfter", "00:00:00");
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
}
