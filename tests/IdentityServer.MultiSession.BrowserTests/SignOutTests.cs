using IdentityServer.MultiSession.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace IdentityServer.MultiSession.BrowserTests;

/// <summary>Signing out of one account in the picker, and RP-initiated logout from the client app (BEHAVIOUR.md §3.6, §3.7).</summary>
[Collection(BrowserCollection.Name)]
public sealed class SignOutTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Signing_out_of_one_account_in_the_picker_removes_it_and_keeps_the_other()
    {
        await using var device = await fixture.NewDeviceAsync();
        var alice = await device.SignInThroughClientAsync("alice");
        await device.SignInThroughClientAsync("bob");
        Assert.Equal([Device.Label("bob"), Device.Label("alice")], await device.OpenPickerAsync());

        await device.SignOutOf("bob").ClickAsync();
        await device.WaitForPickerAsync();
        await Expect(device.ContinueAs("bob")).ToHaveCountAsync(0);
        Assert.Equal([Device.Label("alice")], await device.ReadPickerAccountsAsync());

        // Alice is still signed in at the IdP: the client gets her, with the same sid, without a password.
        await device.OpenClientAsync();
        await device.Button("Switch account").ClickAsync();
        await device.WaitForPickerAsync();
        Assert.Equal([Device.Label("alice")], await device.ReadPickerAccountsAsync());
        await device.ContinueAs("alice").ClickAsync();
        var again = await device.ExpectClientShowsAsync("alice");
        Assert.Equal(alice.SessionId, again.SessionId);
    }

    [Fact]
    public async Task Client_sign_out_signs_out_every_account_on_the_browser()
    {
        await using var device = await fixture.NewDeviceAsync();
        await device.SignInThroughClientAsync("alice");
        await device.SignInThroughClientAsync("bob");
        await device.SignInThroughClientAsync("carol");

        await device.Button("Sign out").ClickAsync();
        await device.WaitForClientAsync();
        await Expect(device.Page.Locator("#signed-out")).ToHaveTextAsync("You are not signed in.");

        // RP-initiated logout with id_token_hint ended every account on this browser (BEHAVIOUR.md §3.7).
        Assert.Empty(await device.OpenPickerAsync());
        await Expect(device.Page.GetByText("No account is signed in on this browser.")).ToBeVisibleAsync();

        // Signing in again asks for a password.
        await device.OpenClientAsync();
        await device.Button("Sign in").ClickAsync();
        await device.WaitForLoginPageAsync();
    }
}
