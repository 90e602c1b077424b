using System.Text.RegularExpressions;
using Deque.AxeCore.Playwright;
using IdentityServer.MultiSession.BrowserTests.Infrastructure;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace IdentityServer.MultiSession.BrowserTests;

/// <summary>
/// Every page a user meets, on a 1280 px desktop and a 390 px phone: axe finds no violation of any impact (no rule disabled),
/// nothing scrolls sideways, and the picker cannot be framed by another site.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class PagesTests(BrowserFixture fixture, ITestOutputHelper output)
{
    private static readonly string[] FiveUsers = ["alice", "bob", "carol", "dave", "erin"];

    private static readonly (int Width, int Height)[] Viewports = [(1280, 800), (390, 844)];

    /// <summary>Runs axe and the overflow check on the page as it is, at both widths.</summary>
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

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    public async Task The_picker_with_several_accounts_passes_axe_and_fits_a_phone(int accounts)
    {
        await using var device = await fixture.NewDeviceAsync();
        foreach (var user in FiveUsers.Take(accounts))
        {
            await device.SignInAtIdpAsync(user);
        }

        await device.OpenPickerAsync();
        await Expect(device.PickerAccounts).ToHaveCountAsync(accounts);
        await AssertPageIsCleanAsync(device.Page, $"picker with {accounts} accounts");
        if (accounts == 3)
        {
            await Screenshots.SaveAsync(device.Page, "picker-phone", width: 390);
        }
    }

    [Fact]
    public async Task During_an_authorization_the_picker_names_the_client_and_each_account_has_a_distinct_avatar_colour()
    {
        await using var device = await fixture.NewDeviceAsync();
        foreach (var user in new[] { "alice", "bob", "carol" })
        {
            await device.SignInThroughClientAsync(user);
        }

        await device.Button("Switch account").ClickAsync();
        await device.WaitForPickerAsync();
        await Expect(device.Page.Locator(".ms-lead")).ToHaveTextAsync("to continue to Browser tests' client app");
        var colours = await device.Page.EvaluateAsync<string[]>("() => [...document.querySelectorAll('.ms-accounts .ms-avatar')].map(a => getComputedStyle(a).backgroundColor)");
        Assert.Equal(3, colours.Length);
        Assert.Equal(3, colours.Distinct().Count());
        await AssertPageIsCleanAsync(device.Page, "picker during an authorization");
        await Screenshots.SaveAsync(device.Page, "picker");
    }

    [Fact]
    public async Task Signing_out_of_one_account_in_the_picker_says_whose_sign_out_it_was()
    {
        await using var device = await fixture.NewDeviceAsync();
        await device.SignInAtIdpAsync("alice");
        await device.SignInAtIdpAsync("bob");
        await device.OpenPickerAsync();

        // A quieter control whose visible text names the account; the row stays the main target.
        var signOut = device.SignOutOf("bob");
        await Expect(signOut).ToHaveTextAsync($"Sign out of {Device.DisplayName("bob")}");
        await signOut.ClickAsync();
        await Expect(device.Page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Bob Brown was signed out.");
        Assert.Equal([Device.Label("alice")], await device.ReadPickerAccountsAsync());
        await AssertPageIsCleanAsync(device.Page, "picker after a sign-out");
    }

    [Fact]
    public async Task The_limit_page_lists_the_accounts_like_the_picker_and_keeps_the_typed_user_name_after_a_sign_out()
    {
        await using var device = await fixture.NewDeviceAsync();
        foreach (var user in FiveUsers)
        {
            await device.SignInAtIdpAsync(user);
        }

        await device.Page.GotoAsync(device.LoginUrl);
        await device.SubmitLoginAsync("frank");
        await Expect(device.LimitMessage).ToBeVisibleAsync();
        await Expect(device.Page.Locator(".ms-limit .ms-avatar")).ToHaveCountAsync(5);
        await Expect(device.Page.Locator(".ms-limit .ms-account-active .ms-badge")).ToHaveTextAsync("Active");
        await AssertPageIsCleanAsync(device.Page, "limit page");

        // By keyboard: Tab to Alice's sign-out, Enter.
        await device.Page.Locator("#username").FocusAsync();
        for (var i = 0; i < 30 && await device.Page.EvaluateAsync<string>("() => document.activeElement.getAttribute('aria-label') || ''") != $"Sign out of {Device.Label("alice")}"; i++)
        {
            await device.Page.Keyboard.PressAsync("Shift+Tab");
        }

        await device.Page.Keyboard.PressAsync("Enter");
        await device.WaitForLoginPageAsync();
        await Expect(device.Page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Alice Anderson was signed out.");
        await Expect(device.Page.Locator("#username")).ToHaveValueAsync("frank");
        await Expect(device.LimitMessage).ToHaveCountAsync(0);
        await AssertPageIsCleanAsync(device.Page, "login page after a sign-out");

        await device.Page.Locator("#password").FillAsync(IdpHost.Data.DemoUsers.Password);
        await device.Page.Keyboard.PressAsync("Enter");
        await device.Page.WaitForURLAsync(new Regex(Regex.Escape(device.LoginUrl.Replace("/Account/Login", "/", StringComparison.Ordinal)) + "$"));
    }

    [Fact]
    public async Task Home_profile_and_error_pages_pass_axe_and_fit_a_phone()
    {
        await using var device = await fixture.NewDeviceAsync();
        var home = device.LoginUrl.Replace("/Account/Login", "/", StringComparison.Ordinal);

        await device.Page.GotoAsync(home);
        await Expect(device.Page.GetByRole(AriaRole.Link, new() { Name = "Sign in" })).ToHaveClassAsync("ms-primary");
        await AssertPageIsCleanAsync(device.Page, "home page, signed out");

        await device.Page.GotoAsync(device.LoginUrl);
        await AssertPageIsCleanAsync(device.Page, "login page");

        var missing = await device.Page.GotoAsync(home + "no-such-page");
        Assert.Equal(404, missing!.Status);
        await Expect(device.Page.GetByRole(AriaRole.Heading, new() { Name = "Page not found" })).ToBeVisibleAsync();
        await AssertPageIsCleanAsync(device.Page, "404 page");

        await device.SignInAtIdpAsync("alice");
        await device.SignInAtIdpAsync("bob");
        await Expect(device.Button("Sign out of all accounts")).ToBeVisibleAsync();
        await AssertPageIsCleanAsync(device.Page, "home page, signed in");

        await device.Page.GotoAsync(home + "Account/Profile");
        await Expect(device.Page.Locator("#profile-name")).ToHaveTextAsync("Bob Brown");
        await AssertPageIsCleanAsync(device.Page, "profile page");

        await device.Page.GotoAsync(home);
        await device.Button("Sign out of all accounts").ClickAsync();
        await Expect(device.Page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Every account was signed out.");
        await Expect(device.Page.GetByRole(AriaRole.Link, new() { Name = "Sign in" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_page_on_another_origin_cannot_frame_the_picker()
    {
        await using var device = await fixture.NewDeviceAsync();
        await device.SignInAtIdpAsync("alice");

        // A page of another local origin (the client app's, http://localhost:port; the IdP is http://127.0.0.1:port), here
        // served by the browser itself, that frames the picker, and, as a control, the client app's own home page.
        var framer = device.ClientUrl + "framer";
        await device.Page.RouteAsync(framer, route => route.FulfillAsync(new()
        {
            ContentType = "text/html",
            Body = $"<!DOCTYPE html><title>Framer</title><iframe name=victim src=\"{device.PickerUrl}\"></iframe><iframe name=control src=\"{device.ClientUrl}\"></iframe>",
        }));
        var requested = new List<string>();
        device.Page.Request += (_, r) => requested.Add(r.Url);
        await device.Page.GotoAsync(framer);
        var control = device.Page.Frame("control")!;
        await control.WaitForLoadStateAsync();
        await Expect(control.Locator("body")).ToContainTextAsync("Sign in");

        // The browser asked for the picker, and was refused: its frame shows Chromium's error page, never the picker.
        Assert.Contains(requested, url => url.StartsWith(device.PickerUrl, StringComparison.Ordinal));
        var victim = device.Page.Frame("victim")!;
        await victim.WaitForLoadStateAsync();
        Assert.StartsWith("chrome-error:", victim.Url, StringComparison.Ordinal);
        var text = await victim.EvaluateAsync<string>("() => document.body ? document.body.innerText : ''");
        Assert.DoesNotContain("Choose an account", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Alice Anderson", text, StringComparison.Ordinal);

        // Because of these headers.
        var response = await device.Context.APIRequest.GetAsync(device.PickerUrl);
        Assert.Equal("DENY", response.Headers["x-frame-options"]);
        Assert.Contains("frame-ancestors 'none'", response.Headers["content-security-policy"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_pages_speak_German_when_the_browser_asks_for_it_and_the_switch_changes_the_language()
    {
        var context = await fixture.Browser.NewContextAsync(new() { Locale = "de-DE", ViewportSize = new() { Width = 1280, Height = 800 } });
        await using var device = new Device(fixture, context, await context.NewPageAsync());
        await device.Page.GotoAsync(device.LoginUrl);
        await Expect(device.Page.GetByRole(AriaRole.Heading, new() { Name = "Anmelden" })).ToBeVisibleAsync();
        Assert.Equal("de", await device.Page.GetAttributeAsync("html", "lang"));
        await device.Page.Locator("#username").FillAsync("alice");
        await device.Page.Locator("#password").FillAsync(IdpHost.Data.DemoUsers.Password);
        await device.Page.GetByRole(AriaRole.Button, new() { Name = "Anmelden", Exact = true }).ClickAsync();
        await device.Page.GotoAsync(device.PickerUrl);
        await Expect(device.Page.GetByRole(AriaRole.Heading, new() { Name = "Konto auswählen" })).ToBeVisibleAsync();
        await AssertPageIsCleanAsync(device.Page, "picker in German");
        await Screenshots.SaveAsync(device.Page, "picker-de");

        // The switch: French, remembered for the next page.
        await device.Page.GetByLabel("Sprache").SelectOptionAsync("fr");
        await device.Page.GetByRole(AriaRole.Button, new() { Name = "Sprache ändern" }).ClickAsync();
        await Expect(device.Page.GetByRole(AriaRole.Heading, new() { Name = "Choisissez un compte" })).ToBeVisibleAsync();
        await device.Page.GotoAsync(device.LoginUrl);
        await Expect(device.Page.GetByRole(AriaRole.Heading, new() { Name = "Se connecter" })).ToBeVisibleAsync();
    }
}
