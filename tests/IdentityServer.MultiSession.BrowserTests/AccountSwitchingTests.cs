using IdentityServer.MultiSession.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace IdentityServer.MultiSession.BrowserTests;

/// <summary>"Switch account" in the client app (<c>prompt=select_account</c>) and the IdP's account picker.</summary>
[Collection(BrowserCollection.Name)]
public sealed class AccountSwitchingTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Switch_account_then_use_another_account_signs_in_bob_with_another_sid()
    {
        await using var device = await fixture.NewDeviceAsync();
        var alice = await device.SignInThroughClientAsync("alice");

        await device.Button("Switch account").ClickAsync();
        await device.WaitForPickerAsync();
        await Expect(device.Page.GetByText("to continue to Browser tests' client app")).ToBeVisibleAsync();
        Assert.Equal([Device.Label("alice")], await device.ReadPickerAccountsAsync());

        await device.Page.GetByRole(AriaRole.Link, new() { Name = "Use another account" }).ClickAsync();
        await device.SubmitLoginAsync("bob");
        var bob = await device.ExpectClientShowsAsync("bob");

        Assert.NotEqual(alice.Subject, bob.Subject);
        Assert.NotEqual(alice.SessionId, bob.SessionId);
    }

    [Fact]
    public async Task Switch_account_then_pick_alice_signs_in_alice_without_a_password()
    {
        await using var device = await fixture.NewDeviceAsync();
        var alice = await device.SignInThroughClientAsync("alice");
        await device.SignInThroughClientAsync("bob");
        await device.SignInThroughClientAsync("carol");

        await device.Button("Switch account").ClickAsync();
        await device.WaitForPickerAsync();
        Assert.Equal(
            [Device.Label("carol"), Device.Label("bob"), Device.Label("alice")],
            await device.ReadPickerAccountsAsync());
        await Expect(device.ContinueAs("carol")).ToHaveAccessibleDescriptionAsync("Active");
        await Expect(device.ContinueAs("bob")).ToHaveAccessibleDescriptionAsync(string.Empty);
        await Screenshots.SaveAsync(device.Page, "picker");

        // From here on, no page may ask for a password.
        var visited = new List<string>();
        device.Page.FrameNavigated += (_, frame) =>
        {
            if (frame.ParentFrame is null)
            {
                visited.Add(frame.Url);
            }
        };
        await device.ContinueAs("alice").ClickAsync();
        var again = await device.ExpectClientShowsAsync("alice");

        Assert.DoesNotContain(visited, url => url.Contains("/Account/Login", StringComparison.Ordinal));
        Assert.Equal(alice.Subject, again.Subject);
        Assert.Equal(alice.SessionId, again.SessionId);
    }
}
