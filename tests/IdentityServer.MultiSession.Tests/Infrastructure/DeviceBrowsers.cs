using System.Net;
using System.Text.Json;
using IdentityServer.MultiSession.Storage;
using IdpHost.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityServer.MultiSession.Tests.Infrastructure;

/// <summary>Browsers that say what they are, and what "Your devices" and the logout outbox show of them.</summary>
public static class DeviceBrowsers
{
    public const string ChromeOnWindows = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
    public const string SafariOnIPhone = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";
    public const string FirefoxOnLinux = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";

    /// <summary>A new user of the test's own (the demo password), so that tests sharing a host do not see each other's sessions.</summary>
    public static async Task<string> NewUserAsync(IdpFactory factory, string prefix)
    {
        var userName = $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];
        await using var scope = factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var result = await users.CreateAsync(new ApplicationUser { UserName = userName, Email = $"{userName}@example.com", EmailConfirmed = true, DisplayName = prefix }, DemoUsers.Password);
        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Select(e => e.Description)));
        return userName;
    }

    /// <summary>A new browser that sends <paramref name="userAgent"/>.</summary>
    public static TestBrowser Browser(IdpFactory factory, string userAgent)
    {
        var browser = factory.CreateBrowser();
        browser.Client.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent", userAgent);
        return browser;
    }

    /// <summary>Three browsers (Chrome on Windows, Safari on iPhone, Firefox on Linux), each signed in as <paramref name="userName"/>.</summary>
    public static async Task<TestBrowser[]> SignedInOnThreeAsync(IdpFactory factory, string userName)
    {
        var browsers = new[] { Browser(factory, ChromeOnWindows), Browser(factory, SafariOnIPhone), Browser(factory, FirefoxOnLinux) };
        foreach (var browser in browsers)
        {
            await browser.SignInOkAsync(userName);
        }

        return browsers;
    }

    /// <summary>Gets tokens for the test client through the browser's active account, so that its session records the client.</summary>
    public static async Task GetTokensAsync(TestBrowser browser)
    {
        var client = new OidcClient(browser);
        var tokens = await client.ExchangeAsync(client.Code(await client.AuthorizeAsync()));
        Assert.Equal(HttpStatusCode.OK, tokens.Status);
    }

    /// <summary>The sid of the browser's active account.</summary>
    public static async Task<string> ActiveSessionIdAsync(TestBrowser browser) =>
        (await browser.ListAsync()).Single(e => e.GetProperty("active").GetBoolean()).GetProperty("sessionId").GetString()!;

    /// <summary>The logout notifications queued for a session.</summary>
    public static Task<int> OutboxRowsAsync(IdpFactory factory, string sessionId) =>
        factory.WithDatabaseAsync(db => db.Set<LogoutNotificationEntity>().CountAsync(n => n.SessionId == sessionId));

    /// <summary>The logout notifications queued for each session, in order.</summary>
    public static async Task<int[]> OutboxRowsAsync(IdpFactory factory, IEnumerable<string> sessionIds)
    {
        var counts = new List<int>();
        foreach (var sessionId in sessionIds)
        {
            counts.Add(await OutboxRowsAsync(factory, sessionId));
        }

        return [.. counts];
    }

    /// <summary>The JSON body of a response.</summary>
    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }
}
