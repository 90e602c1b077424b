using System.Net;
using IdentityServer.MultiSession.Tests.Infrastructure;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>The login form's posts are rate-limited per client address: beyond the limit, 429 with Retry-After and a readable page.</summary>
public sealed class LoginRateLimitTests
{
    [Fact]
    public async Task Login_posts_beyond_the_configured_limit_get_429_with_retry_after_and_a_readable_page()
    {
        using var factory = new IdpFactory();
        factory.Settings["LoginRateLimit:PermitLimit"] = "3";
        factory.Settings["LoginRateLimit:Window"] = "00:10:00";
        var browser = factory.CreateBrowser();

        for (var i = 0; i < 3; i++)
        {
            using var allowed = await browser.SignInAsync("nobody", password: "wrong");
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        using var refused = await browser.SignInAsync("alice");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var retryAfter = int.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 600);
        Assert.StartsWith("text/html", refused.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        var page = TestBrowser.Parse(await refused.Content.ReadAsStringAsync());
        Assert.Equal("Too many sign-in attempts", page.QuerySelector("h1")!.TextContent);
        Assert.Contains($"Wait {retryAfter} seconds", page.QuerySelector("[role=alert]")!.TextContent, StringComparison.Ordinal);

        // The form itself (GET) is not limited, and nothing was signed in.
        using var form = await browser.GetAsync("/Account/Login");
        Assert.Equal(HttpStatusCode.OK, form.StatusCode);
        Assert.Empty(await browser.ListAsync());
    }
}
