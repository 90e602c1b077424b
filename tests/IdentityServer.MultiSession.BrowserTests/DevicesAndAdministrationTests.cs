using Deque.AxeCore.Playwright;
using IdentityServer.MultiSession.BrowserTests.Infrastructure;
using IdpHost.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace IdentityServer.MultiSession.BrowserTests;

/// <summary>
/// "Your devices" and the administration pages in Chromium, on a 1280 px desktop and a 390 px phone: axe finds no violation of
/// any impact, nothing scrolls sideways, and the sign-outs they offer work; the README's pictures of them.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class DevicesAndAdministrationTests(BrowserFixture fixture, ITestOutputHelper output)
{
    private const string ChromeOnWindows = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
    private const string SafariOnIPhone = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";
    private const string FirefoxOnLinux = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";

    private static readonly (int Width, int Height)[] Viewports = [(1280, 800), (390, 844)];

    private async Task AssertPageIsCleanAsync(IPage page, string what)
    {
        foreach (var (width, height) in Viewports)
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
    }

    /// <summary>A demo user of this test class's own (so that other tests' sessions do not show), created once.</summary>
    private async Task<string> UserAsync(string userName, string displayName)
    {
        await using var scope = fixture.Idp.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        if (await users.FindByNameAsync(userName) is null)
        {
            var result = await users.CreateAsync(new ApplicationUser { UserName = userName, Email = $"{userName}@example.com", EmailConfirmed = true, DisplayName = displayName }, DemoUsers.Password);
            Assert.True(result.Succeeded);
        }

        return userName;
    }

    /// <summary>A device whose browser says it is <paramref name="userAgent"/>, signed in at the IdP as <paramref name="user"/>.</summary>
    private async Task<Device> SignedInDeviceAsync(string userAgent, string user)
    {
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 960, Height = 720 },
            Locale = "en-US",
            UserAgent = userAgent,
        });
        context.SetDefaultTimeout(20_000);
        var device = new Device(fixture, context, await context.NewPageAsync());
        await device.Page.GotoAsync(device.LoginUrl);
        await device.SubmitLoginAsync(user);
        await device.Page.WaitForURLAsync(fixture.Idp.Url + "/");
        return device;
    }

    [Fact]
    public async Task Your_devices_shows_each_browser_marks_this_one_signs_out_another_passes_axe_and_fits_a_phone()
    {
        var user = await UserAsync("grace", "Grace Green");
        await using var phone = await SignedInDeviceAsync(SafariOnIPhone, user);
        await using var tablet = await SignedInDeviceAsync(FirefoxOnLinux, user);
        await using var laptop = await SignedInDeviceAsync(ChromeOnWindows, user);

        // From the home page, as a person would.
        await laptop.Page.GetByRole(AriaRole.Link, new() { Name = "Your devices", Exact = true }).ClickAsync();
        await Expect(laptop.Page.Locator("h1")).ToHaveTextAsync("Your devices");
        await Expect(laptop.Page.Locator(".ms-device")).ToHaveCountAsync(3);
        await Expect(laptop.Page.Locator(".ms-device-current .ms-device-name")).ToContainTextAsync("Chrome on Windows");
        await Expect(laptop.Page.Locator(".ms-device-current .ms-badge")).ToHaveTextAsync("This device");
        await AssertPageIsCleanAsync(laptop.Page, "Your devices");
        await Screenshots.SaveAsync(laptop.Page, "devices");

        await laptop.Button("Sign out of this device (Safari on iPhone)").ClickAsync();
        await Expect(laptop.Page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Safari on iPhone was signed out.");
        await Expect(laptop.Page.Locator(".ms-device")).ToHaveCountAsync(2);
        await AssertPageIsCleanAsync(laptop.Page, "Your devices after a sign-out");

        // The phone's cookie reaches nothing any more.
        await phone.Page.GotoAsync(fixture.Idp.Url + "/MultiSession/Devices");
        await phone.WaitForLoginPageAsync();

        await laptop.Button("Sign out of all other devices").ClickAsync();
        await Expect(laptop.Page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Other devices signed out: 1.");
        await Expect(laptop.Page.Locator(".ms-note")).ToHaveTextAsync("This account is signed in on this device only.");
        await AssertPageIsCleanAsync(laptop.Page, "Your devices, this device only");
    }

    [Fact]
    public async Task The_administration_pages_find_a_user_show_the_settings_end_sessions_pass_axe_and_fit_a_phone()
    {
        var user = await UserAsync("henry", "Henry Hill");
        await using var one = await SignedInDeviceAsync(SafariOnIPhone, user);
        await using var two = await SignedInDeviceAsync(FirefoxOnLinux, user);
        await using var three = await SignedInDeviceAsync(ChromeOnWindows, user);
        await using var admin = await SignedInDeviceAsync(ChromeOnWindows, DemoUsers.Administrator.UserName);

        await admin.Page.GetByRole(AriaRole.Link, new() { Name = "Administration", Exact = true }).ClickAsync();
        await Expect(admin.Page.Locator("h1")).ToHaveTextAsync("Sessions administration");
        await Expect(admin.Page.Locator("tr[data-setting='MaximumSessions'] td").First).ToHaveTextAsync("5");
        await AssertPageIsCleanAsync(admin.Page, "administration page");

        await admin.Page.GetByLabel("Email or user name").FillAsync("henry@example.com");
        await admin.Button("Search").ClickAsync();
        await Expect(admin.Page.Locator(".ms-users a")).ToHaveTextAsync("Sessions of Henry Hill (henry@example.com)");
        await AssertPageIsCleanAsync(admin.Page, "administration page with a search result");
        await Screenshots.SaveAsync(admin.Page, "admin");

        await admin.Page.Locator(".ms-users a").ClickAsync();
        await Expect(admin.Page.Locator(".ms-device")).ToHaveCountAsync(3);
        await AssertPageIsCleanAsync(admin.Page, "a user's sessions");
        await Screenshots.SaveAsync(admin.Page, "admin-user");

        await admin.Button("End this session (Firefox on Linux)").ClickAsync();
        await Expect(admin.Page.GetByRole(AriaRole.Status)).ToHaveTextAsync("The session was ended.");
        await Expect(admin.Page.Locator(".ms-device")).ToHaveCountAsync(2);
        await admin.Button("End every session of Henry Hill (henry@example.com)").ClickAsync();
        await Expect(admin.Page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Sessions ended: 2.");
        await AssertPageIsCleanAsync(admin.Page, "a user without sessions");

        await one.Page.GotoAsync(fixture.Idp.Url + "/MultiSession/Devices");
        await one.WaitForLoginPageAsync();
    }

    [Fact]
    public async Task A_signed_in_user_who_is_not_an_administrator_gets_the_403_page()
    {
        var user = await UserAsync("ivan", "Ivan Ivy");
        await using var device = await SignedInDeviceAsync(ChromeOnWindows, user);
        var response = await device.Page.GotoAsync(fixture.Idp.Url + "/MultiSession/Admin");
        Assert.Equal(403, response!.Status);
        await Expect(device.Page.GetByRole(AriaRole.Link, new() { Name = "Administration", Exact = true })).ToHaveCountAsync(0);
    }
}
