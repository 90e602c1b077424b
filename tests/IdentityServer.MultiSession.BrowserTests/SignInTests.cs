using IdentityServer.MultiSession.BrowserTests.Infrastructure;

namespace IdentityServer.MultiSession.BrowserTests;

/// <summary>The client app signs in through the IdP with Microsoft's OpenID Connect handler.</summary>
[Collection(BrowserCollection.Name)]
public sealed class SignInTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Client_signs_in_through_the_IdP_login_page_and_shows_alice()
    {
        await using var device = await fixture.NewDeviceAsync();
        await device.OpenClientAsync();
        await Microsoft.Playwright.Assertions.Expect(device.Page.Locator("#signed-out")).ToHaveTextAsync("You are not signed in.");

        await device.Button("Sign in").ClickAsync();
        await device.SubmitLoginAsync("alice");
        var alice = await device.ExpectClientShowsAsync("alice");

        Assert.Equal("Alice Anderson", alice.Name);
        Assert.Equal("alice@example.com", alice.Email);
        await Screenshots.SaveAsync(device.Page, "client-signed-in");
    }
}
