using System.Net;
using IdentityServer.MultiSession.Tests.Infrastructure;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>
/// Antiforgery sets <c>Cache-Control: no-cache, no-store</c> on every response with a form and warns when it overrides another
/// value. Every page of the library and the sample that renders a form (with the language switch, every page does), signed in
/// or not, GET or a re-rendered POST, already asks for that value, so antiforgery overrides nothing and logs no warning.
/// </summary>
public sealed class AntiforgeryCacheWarningTests : IDisposable
{
    private readonly IdpFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    private static readonly string[] SignedOutPages = ["/", "/Account/Login", "/Account/Register", "/MultiSession/Accounts", "/Error", "/no-such-page"];

    private static readonly string[] SignedInPages =
    [
        "/", "/Account/Profile", "/MultiSession/Accounts", "/Account/Login", "/Account/Register", "/Account/Manage", "/Account/Manage/ChangePassword",
        "/Account/Manage/TwoFactor", "/Account/Manage/EnableAuthenticator", "/Account/Manage/ExternalLogins", "/Error",
        "/connect/endsession", // no hint: the confirmation page
    ];

    private List<string> Warnings() => _factory.Log.Entries
        .Where(e => e.Contains("Antiforgery", StringComparison.Ordinal) || e.Contains("overridden", StringComparison.Ordinal) || e.Contains("Cache-Control", StringComparison.Ordinal))
        .ToList();

    private readonly List<string> _warned = [];

    private async Task<int> AssertFormPageAsync(HttpResponseMessage response, string what)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.Content.Headers.ContentType?.MediaType == "text/html", $"{what}: {(int)response.StatusCode} {response.Content.Headers.ContentType}");
        Assert.True(response.Headers.CacheControl is { NoCache: true, NoStore: true }, $"{what}: Cache-Control {response.Headers.CacheControl}");
        var page = TestBrowser.Parse(body);
        var forms = page.QuerySelectorAll("form").Length;
        Assert.True(forms > 0, $"{what}: no form");

        // Name the page that made antiforgery warn.
        var warnings = Warnings();
        while (_warned.Count < warnings.Count)
        {
            _warned.Add($"{what}: {warnings[_warned.Count]}");
        }

        return forms;
    }

    [Fact]
    public async Task Rendering_every_page_with_a_form_signed_in_or_not_makes_antiforgery_log_no_cache_header_warning()
    {
        var twoFactor = await TwoFactorAccounts.CreateAsync(_factory, twoFactor: true);
        var rendered = new List<string>();

        var stranger = _factory.CreateBrowser();
        foreach (var page in SignedOutPages)
        {
            using var response = await stranger.GetAsync(page);
            await AssertFormPageAsync(response, $"{page} (signed out)");
            rendered.Add(page);
        }

        var browser = _factory.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        foreach (var page in SignedInPages)
        {
            using var response = await browser.GetAsync(page);
            await AssertFormPageAsync(response, $"{page} (signed in)");
            rendered.Add(page);
        }

        // The login page re-rendered after a wrong password, the second-factor pages, and the login page at the account limit.
        using (var wrong = await browser.SignInAsync("carol", password: "not the password"))
        {
            Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
            await AssertFormPageAsync(wrong, "login after a wrong password");
        }

        using (var password = await browser.PasswordStepAsync(twoFactor, "/Account/Profile"))
        {
            var secondFactor = password.Headers.Location!.ToString();
            Assert.StartsWith("/Account/LoginWith2fa?", secondFactor, StringComparison.Ordinal);
            using var code = await browser.GetAsync(secondFactor);
            await AssertFormPageAsync(code, "LoginWith2fa");
            using var recovery = await browser.GetAsync(TwoFactorSignInUrls.Recovery(secondFactor));
            await AssertFormPageAsync(recovery, "LoginWithRecoveryCode");
        }

        await browser.SignInOkAsync("carol", "dave", "erin");
        using (var limit = await browser.SignInAsync("frank"))
        {
            await AssertFormPageAsync(limit, "login at the limit");
        }

        Assert.Equal(SignedOutPages.Length + SignedInPages.Length, rendered.Count);
        Assert.Empty(_warned);
        Assert.Empty(Warnings());
    }
}
