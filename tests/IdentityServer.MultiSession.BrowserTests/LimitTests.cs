using IdentityServer.MultiSession.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace IdentityServer.MultiSession.BrowserTests;

/// <summary>The default limit of five accounts per browser, met through the client app (BEHAVIOUR.md §3.3).</summary>
[Collection(BrowserCollection.Name)]
public sealed class LimitTests(BrowserFixture fixture)
{
    private const string LimitText = "This browser already has 5 accounts signed in. Sign out of one to add another.";

    [Theory]
    [InlineData("limit list")]
    [InlineData("picker page")]
    public async Task Sixth_sign_in_shows_the_limit_and_signing_out_one_account_lets_it_in(string where)
    {
        await using var device = await fixture.NewDeviceAsync();
        foreach (var user in new[] { "alice", "bob", "carol", "dave", "erin" })
        {
            await device.SignInThroughClientAsync(user);
        }

        await device.Button("Sign in with another account").ClickAsync();
        await device.SubmitLoginAsync("frank");
        await Expect(device.LimitMessage).ToHaveTextAsync(LimitText);
        await Expect(device.Page.Locator(".ms-limit").GetByRole(AriaRole.Button, new() { NameRegex = new("^Sign out of ") })).ToHaveCountAsync(5);
        if (where == "limit list")
        {
            await Screenshots.SaveAsync(device.Page, "limit");

            // The limit message lists the accounts, each with its sign-out button; the page comes back to the login form.
            await device.SignOutOf("alice").ClickAsync();
            await device.WaitForLoginPageAsync();
            await Expect(device.LimitMessage).ToHaveCountAsync(0);
        }
        else
        {
            // The account picker, opened from the login page, then "Use another account".
            await device.Page.GetByRole(AriaRole.Link, new() { Name = "Choose an account already signed in" }).ClickAsync();
            await device.WaitForPickerAsync();
            await device.SignOutOf("alice").ClickAsync();
            await Expect(device.ContinueAs("alice")).ToHaveCountAsync(0);
            await Expect(device.PickerAccounts).ToHaveCountAsync(4);
            await device.Page.GetByRole(AriaRole.Link, new() { Name = "Use another account" }).ClickAsync();
        }

        await device.SubmitLoginAsync("frank");
        await device.ExpectClientShowsAsync("frank");

        Assert.Equal(
            [Device.Label("frank"), Device.Label("erin"), Device.Label("dave"), Device.Label("carol"), Device.Label("bob")],
            await device.OpenPickerAsync());
    }
}
