using Deque.AxeCore.Playwright;
using IdentityServer.MultiSession.BrowserTests.Infrastructure;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace IdentityServer.MultiSession.BrowserTests;

/// <summary>
/// Signed-out accounts remembered (<c>MultiSession:RememberSignedOutAccounts</c>) in Chromium: the picker lists them as
/// "Signed out" on a 1280 px desktop and a 390 px phone with no axe violation and nothing scrolling sideways, one key press
/// leads to the login form with the account filled in, "Remove" forgets one; an RP-initiated logout of one account offers
/// that account alone and leaves it listed.
/// </summary>
[Collection(RememberingBrowserCollection.Name)]
public sealed class RememberedAccountsBrowserTests(RememberingBrowserFixture fixture, ITestOutputHelper output)
{
    private static readonly (int Width, int Height)[] Viewports = [(1280, 800), (390, 844)];

    private static ILocator SignInAgainAs(Device device, string user) =>
        device.Page.GetByRole(AriaRole.Link, new() { Name = $"Sign in again as {Device.Label(user)}", Exact = true });

    private static ILocator SignedOutRows(Device device) => device.Page.Locator("ul.ms-accounts-signed-out li");

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

    /// <summary>Moves the focus with Tab until the focused element's accessible label is <paramref name="label"/>.</summary>
    private static async Task TabToAsync(IPage page, string label)
    {
        await page.Locator("h1").ClickAsync();
        for (var i = 0; i < 40; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            if (await page.EvaluateAsync<string>("() => document.activeElement.getAttribute('aria-label') || ''") == label)
            {
                return;
            }
        }

        Assert.Fail($"Tab never reached \"{label}\".");
    }

    [Fact]
    public async Task The_picker_lists_signed_out_accounts_passes_axe_fits_a_phone_and_works_with_the_keyboard()
    {
        await using var device = await fixture.NewDeviceAsync();
        foreach (var user in new[] { "alice", "bob", "carol" })
        {
            await device.SignInAtIdpAsync(user);
        }

        await device.OpenPickerAsync();
        await device.SignOutOf("bob").ClickAsync();
        await Expect(device.Page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Bob Brown was signed out.");
        await device.SignOutOf("carol").ClickAsync();
        await Expect(device.Page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Carol Clark was signed out.");

        // Alice stays signed in; Carol and Bob are listed as signed out, most recent first, with a grey avatar and a badge.
        Assert.Equal([Device.Label("alice")], await device.ReadPickerAccountsAsync());
        await Expect(SignedOutRows(device)).ToHaveCountAsync(2);
        await Expect(SignedOutRows(device).Locator(".ms-badge")).ToHaveTextAsync(["Signed out", "Signed out"]);
        await Expect(SignedOutRows(device).Locator(".ms-name")).ToHaveTextAsync(["Carol Clark", "Bob Brown"]);
        await Expect(device.Button($"Remove {Device.Label("bob")}")).ToHaveTextAsync("Remove Bob Brown");
        await device.Page.GotoAsync(device.PickerUrl);
        await AssertPageIsCleanAsync(device.Page, "picker with signed-out accounts");
        await Screenshots.SaveAsync(device.Page, "picker-remembered");

        // Keyboard alone: Tab to Bob's row, Enter: the login form with Bob filled in.
        await device.Page.SetViewportSizeAsync(390, 844);
        await TabToAsync(device.Page, $"Sign in again as {Device.Label("bob")}");
        await device.Page.Keyboard.PressAsync("Enter");
        await device.WaitForLoginPageAsync();
        await Expect(device.Page.Locator("#username")).ToHaveValueAsync(Device.Email("bob"));

        // Back to the picker; Tab to "Remove Carol Clark", Enter: Carol is forgotten, Bob stays.
        await device.Page.GotoAsync(device.PickerUrl);
        await TabToAsync(device.Page, $"Remove {Device.Label("carol")}");
        await device.Page.Keyboard.PressAsync("Enter");
        await Expect(device.Page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Carol Clark was removed from this list.");
        await Expect(SignedOutRows(device)).ToHaveCountAsync(1);
        await Expect(SignInAgainAs(device, "bob")).ToBeVisibleAsync();
        await AssertPageIsCleanAsync(device.Page, "picker after removing a signed-out account");
    }

    [Fact]
    public async Task An_RP_initiated_logout_of_one_account_offers_it_alone_and_the_picker_then_lists_it_as_signed_out()
    {
        await using var device = await fixture.NewDeviceAsync();
        await device.SignInThroughClientAsync("alice");
        await device.SignInThroughClientAsync("dave");

        // The client signs Dave out (id_token_hint): the IdP names the client and each account, and offers Dave alone.
        await device.Button("Sign out").ClickAsync();
        await Expect(device.Page.GetByRole(AriaRole.Heading, new() { Name = "Sign out?" })).ToBeVisibleAsync();
        await Expect(device.Page.Locator(".ms-lead")).ToContainTextAsync("Browser tests' client app");
        await AssertPageIsCleanAsync(device.Page, "end-session page");
        await Screenshots.SaveAsync(device.Page, "end-session");
        await device.Button($"Sign out of {Device.DisplayName("dave")} only").ClickAsync();
        await device.WaitForClientAsync();

        await device.Page.GotoAsync(device.PickerUrl);
        Assert.Equal([Device.Label("alice")], await device.ReadPickerAccountsAsync());
        await Expect(SignInAgainAs(device, "dave")).ToBeVisibleAsync();
        await AssertPageIsCleanAsync(device.Page, "picker after an RP-initiated logout of one account");

        // One click, his password, and Dave is signed in again: no longer listed as signed out.
        await SignInAgainAs(device, "dave").ClickAsync();
        await device.WaitForLoginPageAsync();
        await Expect(device.Page.Locator("#username")).ToHaveValueAsync(Device.Email("dave"));
        await device.Page.Locator("#password").FillAsync(IdpHost.Data.DemoUsers.Password);
        await device.Button("Sign in").ClickAsync();
        await device.Page.WaitForURLAsync(device.LoginUrl.Replace("/Account/Login", "/", StringComparison.Ordinal));
        await device.Page.GotoAsync(device.PickerUrl);
        Assert.Equal(2, (await device.ReadPickerAccountsAsync()).Count);
        await Expect(SignedOutRows(device)).ToHaveCountAsync(0);
    }
}
