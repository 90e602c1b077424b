using IdentityServer.MultiSession.BrowserTests.Infrastructure;

namespace IdentityServer.MultiSession.BrowserTests;

/// <summary>Two browser contexts are two devices: neither sees, nor ends, the other's accounts.</summary>
[Collection(BrowserCollection.Name)]
public sealed class DeviceIsolationTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Two_browser_contexts_do_not_see_each_others_accounts()
    {
        await using var laptop = await fixture.NewDeviceAsync();
        await using var phone = await fixture.NewDeviceAsync();
        await laptop.SignInThroughClientAsync("alice");
        await phone.SignInThroughClientAsync("bob");
        await phone.SignInThroughClientAsync("carol");

        Assert.Equal([Device.Label("alice")], await laptop.OpenPickerAsync());
        Assert.Equal([Device.Label("carol"), Device.Label("bob")], await phone.OpenPickerAsync());

        // The laptop's "Sign out" ends the laptop's accounts only.
        await laptop.OpenClientAsync();
        await laptop.Button("Sign out").ClickAsync();
        await laptop.WaitForClientAsync();
        Assert.Empty(await laptop.OpenPickerAsync());
        Assert.Equal([Device.Label("carol"), Device.Label("bob")], await phone.OpenPickerAsync());
    }
}
