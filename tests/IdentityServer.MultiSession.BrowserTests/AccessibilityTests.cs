using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using IdentityServer.MultiSession.BrowserTests.Infrastructure;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace IdentityServer.MultiSession.BrowserTests;

/// <summary>The picker with the keyboard alone, and axe-core scans of the pages a user meets (BEHAVIOUR.md §5).</summary>
[Collection(BrowserCollection.Name)]
public sealed class AccessibilityTests(BrowserFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task The_picker_and_the_login_page_work_with_the_keyboard_alone()
    {
        await using var device = await fixture.NewDeviceAsync();
        await device.SignInThroughClientAsync("alice");
        await device.SignInThroughClientAsync("bob");
        var page = device.Page;

        // Client: Tab to "Switch account", Enter.
        await TabToAsync(page, "Switch account");
        await page.Keyboard.PressAsync("Enter");
        await device.WaitForPickerAsync();

        // Picker: Tab visits every control in reading order, each with a visible focus indicator.
        var visited = new List<string>();
        for (var i = 0; i < 12 && !visited.Contains("Sign out of all accounts"); i++)
        {
            await page.Keyboard.PressAsync("Tab");
            var (label, outline) = await FocusedAsync(page);
            if (label.Length == 0)
            {
                continue;
            }

            visited.Add(label);
            Assert.True(outline, $"'{label}' has no visible focus indicator.");
        }

        Assert.Equal(
            [
                $"Continue as {Device.Label("bob")}", $"Sign out of {Device.Label("bob")}",
                $"Continue as {Device.Label("alice")}", $"Sign out of {Device.Label("alice")}",
                "Use another account", "Sign out of all accounts",
            ],
            visited);

        // Back to alice with Shift+Tab, Enter: the client gets alice.
        for (var i = 0; i < 3; i++)
        {
            await page.Keyboard.PressAsync("Shift+Tab");
        }

        Assert.Equal($"Continue as {Device.Label("alice")}", (await FocusedAsync(page)).Label);
        await page.Keyboard.PressAsync("Enter");
        await device.ExpectClientShowsAsync("alice");

        // Client: "Sign in with another account" → picker "Use another account" is not needed: the login form, by keyboard.
        await TabToAsync(page, "Sign in with another account");
        await page.Keyboard.PressAsync("Enter");
        await device.WaitForLoginPageAsync();
        Assert.Equal("username", await page.EvaluateAsync<string>("() => document.activeElement.id"));
        await page.Keyboard.TypeAsync("carol");
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("password", await page.EvaluateAsync<string>("() => document.activeElement.id"));
        await page.Keyboard.TypeAsync(IdpHost.Data.DemoUsers.Password);
        await page.Keyboard.PressAsync("Enter");
        await device.ExpectClientShowsAsync("carol");
    }

    [Theory]
    [InlineData("login page")]
    [InlineData("picker")]
    [InlineData("limit page")]
    [InlineData("client page")]
    public async Task Axe_finds_no_violation_of_any_impact(string what)
    {
        await using var device = await fixture.NewDeviceAsync();
        switch (what)
        {
            case "login page":
                await device.OpenClientAsync();
                await device.Button("Sign in").ClickAsync();
                await device.WaitForLoginPageAsync();
                break;
            case "picker":
                await device.SignInThroughClientAsync("alice");
                await device.SignInAtIdpAsync("bob");
                await device.SignInAtIdpAsync("carol");
                await device.OpenClientAsync();
                await device.Button("Switch account").ClickAsync();
                await device.WaitForPickerAsync();
                break;
            case "limit page":
                foreach (var user in new[] { "alice", "bob", "carol", "dave", "erin" })
                {
                    await device.SignInAtIdpAsync(user);
                }

                await device.Page.GotoAsync(device.LoginUrl);
                await device.SubmitLoginAsync("frank");
                await Expect(device.LimitMessage).ToBeVisibleAsync();
                break;
            case "client page":
                await device.SignInThroughClientAsync("alice");
                break;
        }

        var result = await device.Page.RunAxe();
        var counts = result.Violations
            .GroupBy(v => v.Impact ?? "none")
            .ToDictionary(g => g.Key, g => g.Count());
        output.WriteLine($"axe {what} ({new Uri(device.Page.Url).AbsolutePath}): " +
            string.Join(", ", new[] { "critical", "serious", "moderate", "minor" }.Select(i => $"{i} {counts.GetValueOrDefault(i)}")));
        foreach (var violation in result.Violations)
        {
            output.WriteLine($"  {violation.Impact} {violation.Id}: {violation.Help} — " +
                string.Join(" | ", violation.Nodes.Select(n => n.Html)));
        }

        Assert.True(result.Violations.Length == 0, $"axe found on the {what}: " + string.Join("; ", result.Violations.Select(v => $"{v.Impact} {v.Id} ({v.Help})")));
    }

    private static async Task TabToAsync(IPage page, string label)
    {
        for (var i = 0; i < 20; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            if ((await FocusedAsync(page)).Label == label)
            {
                return;
            }
        }

        Assert.Fail($"Tab never reached '{label}'.");
    }

    /// <summary>The focused element's accessible label, and whether it shows a focus outline.</summary>
    private static async Task<(string Label, bool Outline)> FocusedAsync(IPage page)
    {
        var focused = await page.EvaluateAsync<string[]>(
            """
            () => {
              const e = document.activeElement;
              if (!e || e === document.body) return ["", "false"];
              const style = getComputedStyle(e);
              const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
              return [(e.getAttribute("aria-label") || e.textContent || "").trim(), String(outline)];
            }
            """);
        return (focused[0], focused[1] == "true");
    }
}
