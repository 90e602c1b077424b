using System.Globalization;
using System.Security.Cryptography;
using Deque.AxeCore.Playwright;
using IdentityServer.MultiSession.BrowserTests.Infrastructure;
using IdpHost.Data;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace IdentityServer.MultiSession.BrowserTests;

/// <summary>
/// Two-factor sign-in in Chromium: register an account, turn on its authenticator app, sign it in through the client app with
/// the code beside alice, switch between the two with <c>prompt=select_account</c>; axe scans of each new page on the way.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class TwoFactorBrowserTests(BrowserFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task An_account_with_an_authenticator_app_signs_in_with_its_code_beside_alice_and_the_client_can_switch_between_them()
    {
        var idp = fixture.Idp.Url;
        var name = $"tf{Guid.NewGuid():N}"[..12];
        var email = $"{name}@example.com";

        // Register and turn on two-factor in one browser.
        await using (var setup = await fixture.NewDeviceAsync())
        {
            var page = setup.Page;
            await page.GotoAsync(idp + "/Account/Register");
            await AssertAxeAsync(page, "register page");
            await page.Locator("#email").FillAsync(email);
            await page.Locator("#display-name").FillAsync(name);
            await page.Locator("#password").FillAsync(DemoUsers.Password);
            await page.Locator("#confirm-password").FillAsync(DemoUsers.Password);
            await setup.Button("Create account").ClickAsync();
            await page.WaitForURLAsync(idp + "/");

            await page.GotoAsync(idp + "/Account/Manage/EnableAuthenticator");
            await AssertAxeAsync(page, "authenticator set-up page");
            var key = (await page.Locator("#shared-key").TextContentAsync())!.Replace(" ", string.Empty, StringComparison.Ordinal).ToUpperInvariant();
            await page.Locator("#code").FillAsync(Totp(key));
            await setup.Button("Verify").ClickAsync();
            await Expect(page.Locator("[role=status]")).ToHaveTextAsync("Two-factor authentication is on.");
            await Expect(page.Locator(".recovery-code")).ToHaveCountAsync(10);
            await AssertAxeAsync(page, "recovery codes");

            await page.GotoAsync(idp + "/Account/Manage/TwoFactor");
            await AssertAxeAsync(page, "two-factor page");

            // Another browser: alice through the client, then the new account with its code.
            await using var device = await fixture.NewDeviceAsync();
            await device.SignInThroughClientAsync("alice");
            await device.Button("Sign in with another account").ClickAsync();
            await device.SubmitLoginAsync(email);
            await device.Page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/Account/LoginWith2fa\\?"));
            await Expect(device.Page.Locator(".ms-lead")).ToContainTextAsync(email);
            await AssertAxeAsync(device.Page, "second-factor page");
            await device.Page.Locator("#code").FillAsync(Totp(key));
            await device.Button("Verify").ClickAsync();
            await device.WaitForClientAsync();
            await Expect(device.Page.Locator("#user-email")).ToHaveTextAsync(email);

            // Both accounts are on the browser: the client's "Switch account" shows both and gives alice back.
            await device.Button("Switch account").ClickAsync();
            await device.WaitForPickerAsync();
            Assert.Equal(2, await device.PickerAccounts.CountAsync());
            await device.ContinueAs("alice").ClickAsync();
            await device.ExpectClientShowsAsync("alice");
        }
    }

    private async Task AssertAxeAsync(IPage page, string what)
    {
        var result = await page.RunAxe();
        foreach (var violation in result.Violations)
        {
            output.WriteLine($"axe {what}: {violation.Impact} {violation.Id}: {violation.Help}");
        }

        var blocking = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(blocking.Count == 0, $"axe found on the {what}: " + string.Join("; ", blocking.Select(v => $"{v.Impact} {v.Id} ({v.Help})")));
    }

    /// <summary>The RFC 6238 code (SHA-1, 30 s, 6 digits) of a Base32 key, as an authenticator app shows it now.</summary>
    private static string Totp(string base32Key)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var key = new List<byte>();
        int buffer = 0, bits = 0;
        foreach (var c in base32Key.TrimEnd('='))
        {
            buffer = (buffer << 5) | alphabet.IndexOf(c, StringComparison.Ordinal);
            bits += 5;
            if (bits >= 8)
            {
                bits -= 8;
                key.Add((byte)((buffer >> bits) & 0xff));
            }
        }

        var counter = DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 30;
        var message = new byte[8];
        for (var i = 7; i >= 0; i--)
        {
            message[i] = (byte)(counter & 0xff);
            counter >>= 8;
        }

        var hash = HMACSHA1.HashData(key.ToArray(), message);
        var offset = hash[^1] & 0x0f;
        var binary = ((hash[offset] & 0x7f) << 24) | (hash[offset + 1] << 16) | (hash[offset + 2] << 8) | hash[offset + 3];
        return (binary % 1_000_000).ToString("D6", CultureInfo.InvariantCulture);
    }
}
