using System.Text.RegularExpressions;
using IdpHost.Data;
using static Microsoft.Playwright.Assertions;

namespace IdentityServer.MultiSession.BrowserTests.Infrastructure;

/// <summary>
/// One device: a browser context of its own (its own cookies) with one page, and the steps a person takes on the client app,
/// the IdP's login page and its account picker.
/// </summary>
public sealed class Device : IAsyncDisposable
{
    private readonly BrowserFixture _fixture;

    internal Device(BrowserFixture fixture, IBrowserContext context, IPage page)
    {
        _fixture = fixture;
        Context = context;
        Page = page;
    }

    /// <summary>The browser context (the device's cookie jar).</summary>
    public IBrowserContext Context { get; }

    /// <summary>The page.</summary>
    public IPage Page { get; }

    /// <summary>The client app's home page.</summary>
    public string ClientUrl => _fixture.Client.Url + "/";

    /// <summary>The IdP's account picker, outside any authorization request.</summary>
    public string PickerUrl => _fixture.Idp.Url + "/MultiSession/Accounts";

    /// <summary>The IdP's login page, outside any authorization request.</summary>
    public string LoginUrl => _fixture.Idp.Url + "/Account/Login";

    /// <summary>A demo user's display name.</summary>
    public static string DisplayName(string user) => DemoUsers.All.Single(u => u.UserName == user).DisplayName;

    /// <summary>A demo user's email.</summary>
    public static string Email(string user) => $"{user}@example.com";

    /// <summary>The accessible name of a demo user in the picker: "Alice Anderson (alice@example.com)".</summary>
    public static string Label(string user) => $"{DisplayName(user)} ({Email(user)})";

    /// <summary>A button by its accessible name.</summary>
    public ILocator Button(string name) => Page.GetByRole(AriaRole.Button, new() { Name = name, Exact = true });

    /// <summary>The picker's "Continue as …" button of <paramref name="user"/>.</summary>
    public ILocator ContinueAs(string user) => Button($"Continue as {Label(user)}");

    /// <summary>The "Sign out of …" button of <paramref name="user"/> (picker or limit list).</summary>
    public ILocator SignOutOf(string user) => Button($"Sign out of {Label(user)}");

    /// <summary>Every "Continue as …" button of the picker, as the accounts it names.</summary>
    public ILocator PickerAccounts => Page.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Continue as ") });

    /// <summary>The limit message on the login page.</summary>
    public ILocator LimitMessage => Page.Locator(".ms-limit [role=alert]");

    /// <summary>Opens the client app.</summary>
    public async Task OpenClientAsync() => await Page.GotoAsync(ClientUrl);

    /// <summary>Waits until the browser is back on the client app's home page.</summary>
    public async Task WaitForClientAsync() =>
        await Page.WaitForURLAsync(new Regex("^" + Regex.Escape(_fixture.Client.Url) + @"/(\?.*)?$"));

    /// <summary>Waits for the IdP's login page (inside an authorization request or not).</summary>
    public async Task WaitForLoginPageAsync() =>
        await Page.WaitForURLAsync(new Regex("^" + Regex.Escape(_fixture.Idp.Url) + "/Account/Login"));

    /// <summary>Waits for the IdP's account picker.</summary>
    public async Task WaitForPickerAsync() =>
        await Page.WaitForURLAsync(new Regex("^" + Regex.Escape(_fixture.Idp.Url) + "/MultiSession/Accounts"));

    /// <summary>Fills and submits the IdP's login form.</summary>
    public async Task SubmitLoginAsync(string user, string password = DemoUsers.Password)
    {
        await WaitForLoginPageAsync();
        await Page.Locator("#username").FillAsync(user);
        await Page.Locator("#password").FillAsync(password);
        await Button("Sign in").ClickAsync();
    }

    /// <summary>Client "Sign in" (or, when the client has a session, "Sign in with another account") and the login form.</summary>
    public async Task<ClientAccount> SignInThroughClientAsync(string user)
    {
        await OpenClientAsync();
        var signIn = Button("Sign in");
        if (await signIn.CountAsync() == 1)
        {
            await signIn.ClickAsync();
        }
        else
        {
            await Button("Sign in with another account").ClickAsync();
        }

        await SubmitLoginAsync(user);
        return await ExpectClientShowsAsync(user);
    }

    /// <summary>Signs in at the IdP's own login page, outside any client: a quick way to add accounts to the device.</summary>
    public async Task SignInAtIdpAsync(string user)
    {
        await Page.GotoAsync(LoginUrl);
        await SubmitLoginAsync(user);
        try
        {
            await Page.WaitForURLAsync(_fixture.Idp.Url + "/");
        }
        catch (TimeoutException timeout)
        {
            // Say where the sign-in ended instead (a rare failure under load in CI whose cause is still unknown).
            var text = await Page.Locator("body").InnerTextAsync();
            throw new TimeoutException($"{user}'s sign-in did not reach the home page; the browser is at {Page.Url} showing: {text[..Math.Min(text.Length, 600)]}", timeout);
        }
    }

    /// <summary>Asserts that the client app shows <paramref name="user"/>, and reads what it shows.</summary>
    public async Task<ClientAccount> ExpectClientShowsAsync(string user)
    {
        await WaitForClientAsync();
        await Expect(Page.Locator("#user-name")).ToHaveTextAsync(DisplayName(user));
        await Expect(Page.Locator("#user-email")).ToHaveTextAsync(Email(user));
        return await ReadClientAccountAsync();
    }

    /// <summary>What the client app shows about its signed-in user.</summary>
    public async Task<ClientAccount> ReadClientAccountAsync()
    {
        var sub = (await Page.Locator("#user-sub").TextContentAsync())?.Trim();
        var sid = (await Page.Locator("#user-sid").TextContentAsync())?.Trim();
        Assert.False(string.IsNullOrEmpty(sub), "The client shows no sub.");
        Assert.False(string.IsNullOrEmpty(sid), "The client shows no sid.");
        return new ClientAccount(
            (await Page.Locator("#user-name").TextContentAsync())!.Trim(),
            (await Page.Locator("#user-email").TextContentAsync())!.Trim(),
            sub!,
            sid!);
    }

    /// <summary>The accounts the picker lists, in its order, as "Name (email)".</summary>
    public async Task<IReadOnlyList<string>> ReadPickerAccountsAsync()
    {
        var labels = new List<string>();
        foreach (var button in await PickerAccounts.AllAsync())
        {
            labels.Add((await button.GetAttributeAsync("aria-label"))!["Continue as ".Length..]);
        }

        return labels;
    }

    /// <summary>Opens the IdP's picker directly and returns the accounts it lists.</summary>
    public async Task<IReadOnlyList<string>> OpenPickerAsync()
    {
        await Page.GotoAsync(PickerUrl);
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Choose an account" })).ToBeVisibleAsync();
        return await ReadPickerAccountsAsync();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await Context.CloseAsync();
}

/// <summary>What the client app shows: the ID token's <c>name</c>, <c>email</c>, <c>sub</c> and <c>sid</c>.</summary>
public sealed record ClientAccount(string Name, string Email, string Subject, string SessionId);
