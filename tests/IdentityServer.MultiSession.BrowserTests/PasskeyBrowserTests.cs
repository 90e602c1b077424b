using Deque.AxeCore.Playwright;
using IdentityServer.MultiSession.BrowserTests.Infrastructure;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace IdentityServer.MultiSession.BrowserTests;

/// <summary>
/// Passkeys in Chromium with the DevTools protocol's virtual authenticator (CTAP2, internal transport, resident keys, user
/// verification): alice registers a passkey on Manage → Passkeys, signs out, and signs in with it beside bob (password); the
/// picker lists both and the client app receives alice through <c>prompt=select_account</c> with <c>amr</c> "hwk mfa"
/// (a device-bound key, user verified). axe scans the new page and the login page's passkey button at 1280 and 390 px.
/// </summary>
[Collection(PasskeyBrowserCollection.Name)]
public sealed class PasskeyBrowserTests(PasskeyBrowserFixture fixture, ITestOutputHelper output)
{
    private static readonly (int Width, int Height)[] Viewports = [(1280, 800), (390, 844)];

    [Fact]
    public async Task Alice_registers_a_passkey_signs_in_with_it_beside_bob_and_the_client_receives_her_with_amr_hwk_mfa()
    {
        var idp = fixture.Idp.Url;
        Assert.StartsWith("http://localhost:", idp, StringComparison.Ordinal);
        await using var device = await fixture.NewDeviceAsync();
        var page = device.Page;
        await AddVirtualAuthenticatorAsync(page);

        // Alice signs in with her password and adds a passkey on Manage → Passkeys.
        await device.SignInAtIdpAsync("alice");
        await page.GotoAsync(idp + "/Account/Manage");
        await page.GetByRole(AriaRole.Link, new() { Name = "Passkeys", Exact = true }).ClickAsync();
        await Expect(page.Locator("#passkey-none")).ToBeVisibleAsync();
        await page.Locator("#passkey-name").FillAsync("Alice's laptop");
        await device.Button("Add a passkey").ClickAsync();
        await Expect(page.Locator("[role=status]")).ToHaveTextAsync("The passkey Alice's laptop was added.");
        await Expect(page.Locator(".passkey-name")).ToHaveTextAsync(["Alice's laptop"]);
        await AssertAxeAtEveryWidthAsync(page, "passkeys page");

        // She signs out; bob signs in through the client with his password.
        await device.OpenPickerAsync();
        await device.SignOutOf("alice").ClickAsync();
        await page.WaitForLoadStateAsync();
        var bob = await device.SignInThroughClientAsync("bob");
        await Expect(page.Locator("#user-amr")).ToHaveTextAsync("pwd");

        // The client asks for another account; alice uses her passkey on the login page.
        await device.Button("Sign in with another account").ClickAsync();
        await device.WaitForLoginPageAsync();
        await Expect(device.Button("Sign in with a passkey")).ToBeVisibleAsync();
        await AssertAxeAtEveryWidthAsync(page, "login page with the passkey button");
        await device.Button("Sign in with a passkey").ClickAsync();
        var alice = await device.ExpectClientShowsAsync("alice");
        await Expect(page.Locator("#user-amr")).ToHaveTextAsync("hwk mfa");
        Assert.NotEqual(bob.SessionId, alice.SessionId);

        // Both are on the browser: the client's "Switch account" (prompt=select_account) lists both and gives each back.
        await device.Button("Switch account").ClickAsync();
        await device.WaitForPickerAsync();
        Assert.Equal([Device.Label("alice"), Device.Label("bob")], await device.ReadPickerAccountsAsync());
        await device.ContinueAs("bob").ClickAsync();
        await device.ExpectClientShowsAsync("bob");
        await Expect(page.Locator("#user-amr")).ToHaveTextAsync("pwd");

        await device.Button("Switch account").ClickAsync();
        await device.WaitForPickerAsync();
        await device.ContinueAs("alice").ClickAsync();
        var again = await device.ExpectClientShowsAsync("alice");
        await Expect(page.Locator("#user-amr")).ToHaveTextAsync("hwk mfa");
        Assert.Equal(alice.SessionId, again.SessionId);
    }

    /// <summary>A virtual platform authenticator for this page: CTAP2, resident keys, user verification that always succeeds.</summary>
    private static async Task AddVirtualAuthenticatorAsync(IPage page)
    {
        var cdp = await page.Context.NewCDPSessionAsync(page);
        await cdp.SendAsync("WebAuthn.enable", new Dictionary<string, object> { ["enableUI"] = false });
        await cdp.SendAsync("WebAuthn.addVirtualAuthenticator", new Dictionary<string, object>
        {
            ["options"] = new Dictionary<string, object>
            {
                ["protocol"] = "ctap2",
                ["transport"] = "internal",
                ["hasResidentKey"] = true,
                ["hasUserVerification"] = true,
                ["isUserVerified"] = true,
                ["automaticPresenceSimulation"] = true,
            },
        });
    }

    private async Task AssertAxeAtEveryWidthAsync(IPage page, string what)
    {
        var original = page.ViewportSize;
        try
        {
            foreach (var (width, height) in Viewports)
            {
                await page.SetViewportSizeAsync(width, height);
                var overflow = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]");
                Assert.True(overflow[0] <= overflow[1], $"{what} at {width} px scrolls sideways: scrollWidth {overflow[0]} > clientWidth {overflow[1]}");
                var result = await page.RunAxe();
                foreach (var violation in result.Violations)
                {
                    output.WriteLine($"axe {what} at {width} px: {violation.Impact} {violation.Id}: {violation.Help} — " +
                        string.Join(" | ", violation.Nodes.Select(n => n.Html)));
                }

                Assert.True(result.Violations.Length == 0, $"axe found on the {what} at {width} px: " +
                    string.Join("; ", result.Violations.Select(v => $"{v.Impact} {v.Id} ({v.Help})")));
            }
        }
        finally
        {
            if (original is not null)
            {
                await page.SetViewportSizeAsync(original.Width, original.Height);
            }
        }
    }
}
