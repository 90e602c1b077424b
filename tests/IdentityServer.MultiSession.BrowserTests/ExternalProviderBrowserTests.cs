using System.Net;
using System.Text.RegularExpressions;
using Deque.AxeCore.Playwright;
using IdentityServer.MultiSession.BrowserTests.Infrastructure;
using IdpHost.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace IdentityServer.MultiSession.BrowserTests;

/// <summary>
/// Sign-in through an external OpenID Connect provider in Chromium: the IdP under test (127.0.0.1) signs in through a second
/// real IdpHost (127.0.0.2, its own cookies) registered as its upstream; the client app (localhost) gets alice, then the
/// external account beside her, and both through the picker (<c>prompt=select_account</c>). axe scans each new page at a
/// desktop and a phone width.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ExternalProviderBrowserTests(BrowserFixture fixture, ITestOutputHelper output)
{
    private const string ProviderName = "Upstream IdP";
    private const string UpstreamSecret = "browser-tests-upstream-secret";

    [Fact]
    public async Task Alice_and_an_account_from_the_external_provider_sign_in_on_one_browser_and_the_client_switches_between_them()
    {
        var clientPort = ClientServer.FreePort();
        var idpPort = ClientServer.FreePort();
        var idpOrigin = $"http://127.0.0.1:{idpPort}";
        await using var upstream = new ConfiguredIdpServer(IPAddress.Parse("127.0.0.2"), 0, new Dictionary<string, string>
        {
            ["Clients:1:ClientId"] = "browser-tests-downstream",
            ["Clients:1:ClientSecret"] = UpstreamSecret,
            ["Clients:1:DisplayName"] = "The IdP under test",
            ["Clients:1:RedirectUris:0"] = idpOrigin + "/signin-external",
        }).Start();
        await using var idp = new ConfiguredIdpServer(IPAddress.Loopback, idpPort, new Dictionary<string, string>
        {
            ["Clients:1:ClientId"] = IdpServer.ClientId,
            ["Clients:1:DisplayName"] = "Browser tests' client app",
            ["Clients:1:RedirectUris:0"] = $"http://localhost:{clientPort}/signin-oidc",
            ["Clients:1:PostLogoutRedirectUris:0"] = $"http://localhost:{clientPort}/signout-callback-oidc",
            ["ExternalProviders:Oidc:Authority"] = upstream.Url,
            ["ExternalProviders:Oidc:ClientId"] = "browser-tests-downstream",
            ["ExternalProviders:Oidc:ClientSecret"] = UpstreamSecret,
            ["ExternalProviders:Oidc:DisplayName"] = ProviderName,
        }).Start();
        await using var client = new ClientServer(clientPort).Start(idp.Url);

        // The provider's account: an email this IdP has never seen.
        var name = $"ext{Guid.NewGuid():N}"[..12];
        var email = $"{name}@upstream.example";
        await using (var scope = upstream.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            Assert.True((await users.CreateAsync(new ApplicationUser { UserName = name, Email = email, EmailConfirmed = true, DisplayName = "Ext Ernie" }, DemoUsers.Password)).Succeeded);
        }

        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 960, Height = 720 }, Locale = "en-US" });
        await using var closeContext = new ContextCloser(context);
        context.SetDefaultTimeout(20_000);
        var page = await context.NewPageAsync();
        ILocator Button(string text) => page.GetByRole(AriaRole.Button, new() { Name = text, Exact = true });
        var clientHome = new Regex("^" + Regex.Escape(client.Url) + @"/(\?.*)?$");

        // alice with her password, through the client.
        await page.GotoAsync(client.Url + "/");
        await Button("Sign in").ClickAsync();
        await page.WaitForURLAsync(new Regex("^" + Regex.Escape(idp.Url) + "/Account/Login"));
        await AssertPageIsCleanAsync(page, "login page with a provider");
        await page.Locator("#username").FillAsync("alice");
        await page.Locator("#password").FillAsync(DemoUsers.Password);
        await Button("Sign in").ClickAsync();
        await page.WaitForURLAsync(clientHome);
        await Expect(page.Locator("#user-email")).ToHaveTextAsync("alice@example.com");

        // Another account, through the provider: its own login page on its own host, then back to create the local account.
        await Button("Sign in with another account").ClickAsync();
        await page.WaitForURLAsync(new Regex("^" + Regex.Escape(idp.Url) + "/Account/Login"));
        await Button($"Sign in with {ProviderName}").ClickAsync();
        await page.WaitForURLAsync(new Regex("^" + Regex.Escape(upstream.Url) + "/Account/Login"));
        await page.Locator("#username").FillAsync(name);
        await page.Locator("#password").FillAsync(DemoUsers.Password);
        await Button("Sign in").ClickAsync();
        await page.WaitForURLAsync(new Regex("^" + Regex.Escape(idp.Url) + "/Account/ExternalLogin"));
        await Expect(page.Locator("#email")).ToHaveValueAsync(email);
        await AssertPageIsCleanAsync(page, "external sign-in: create or link");
        await Button("Create account").ClickAsync();
        await page.WaitForURLAsync(clientHome);
        await Expect(page.Locator("#user-email")).ToHaveTextAsync(email);
        await Expect(page.Locator("#user-name")).ToHaveTextAsync("Ext Ernie");
        var externalSid = (await page.Locator("#user-sid").TextContentAsync())!.Trim();

        // Both are on the browser: the client's "Switch account" (prompt=select_account) gives alice, then the external account.
        await Button("Switch account").ClickAsync();
        await page.WaitForURLAsync(new Regex("^" + Regex.Escape(idp.Url) + "/MultiSession/Accounts"));
        await Expect(page.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Continue as ") })).ToHaveCountAsync(2);
        await Button("Continue as Alice Anderson (alice@example.com)").ClickAsync();
        await page.WaitForURLAsync(clientHome);
        await Expect(page.Locator("#user-email")).ToHaveTextAsync("alice@example.com");
        await Button("Switch account").ClickAsync();
        await page.WaitForURLAsync(new Regex("^" + Regex.Escape(idp.Url) + "/MultiSession/Accounts"));
        await Button($"Continue as Ext Ernie ({email})").ClickAsync();
        await page.WaitForURLAsync(clientHome);
        await Expect(page.Locator("#user-email")).ToHaveTextAsync(email);
        Assert.Equal(externalSid, (await page.Locator("#user-sid").TextContentAsync())!.Trim());

        // The account pages list the provider's login of the external account.
        await page.GotoAsync(idp.Url + "/Account/Manage/ExternalLogins");
        await Expect(page.Locator(".ms-accounts .ms-name")).ToHaveTextAsync(ProviderName);
        await AssertPageIsCleanAsync(page, "external logins page");
    }

    /// <summary>Runs axe (no violation of any impact) and the overflow check on the page as it is, at 1280 and 390 px.</summary>
    private async Task AssertPageIsCleanAsync(IPage page, string what)
    {
        foreach (var (width, height) in new[] { (1280, 800), (390, 844) })
        {
            await page.SetViewportSizeAsync(width, height);
            var overflow = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]");
            Assert.True(overflow[0] <= overflow[1], $"{what} at {width} px scrolls sideways: scrollWidth {overflow[0]} > clientWidth {overflow[1]}");
            var result = await page.RunAxe();
            foreach (var violation in result.Violations)
            {
                output.WriteLine($"{what} at {width} px: {violation.Impact} {violation.Id}: {violation.Help} — " + string.Join(" | ", violation.Nodes.Select(n => n.Html)));
            }

            Assert.True(result.Violations.Length == 0, $"axe found on the {what} at {width} px: " + string.Join("; ", result.Violations.Select(v => $"{v.Impact} {v.Id} ({v.Help})")));
        }

        await page.SetViewportSizeAsync(960, 720);
    }

    private sealed class ContextCloser(IBrowserContext context) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await context.CloseAsync();
    }
}
