using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using IdentityServer.MultiSession.Http;
using IdentityServer.MultiSession.Tests.Infrastructure;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>
/// Every response of the sample and the library carries a strict Content-Security-Policy, X-Frame-Options,
/// X-Content-Type-Options and Referrer-Policy; pages with personal data are never stored; OpenIddict's form_post page still runs.
/// </summary>
public sealed partial class SecurityHeadersTests(IdpFactory factory) : IClassFixture<IdpFactory>
{
    private static readonly string[] Pages = ["/", "/Account/Login", "/Account/Profile", "/MultiSession/Accounts", "/Error", "/no-such-page", "/Account/Manage/Passkeys"];

    private static void AssertSecurityHeaders(HttpResponseMessage response, string what)
    {
        var csp = Header(response, "Content-Security-Policy");
        Assert.True(csp is not null, $"{what}: no Content-Security-Policy");
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-eval", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("form-action", csp, StringComparison.Ordinal);
        foreach (var directive in new[] { "default-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "base-uri 'self'", "object-src 'none'", "img-src 'self' data:" })
        {
            Assert.Contains(directive, csp, StringComparison.Ordinal);
        }

        Assert.Equal("DENY", Header(response, "X-Frame-Options"));
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("no-referrer", Header(response, "Referrer-Policy"));
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(", ", values)
            : null;

    [Fact]
    public async Task Every_page_signed_in_or_not_is_sent_with_the_security_headers_and_never_stored()
    {
        foreach (var signedIn in new[] { false, true })
        {
            var browser = factory.CreateBrowser();
            if (signedIn)
            {
                await browser.SignInOkAsync("alice");
            }

            foreach (var page in Pages)
            {
                using var response = await browser.GetAsync(page);
                var what = $"{page} ({(signedIn ? "signed in" : "signed out")}, {(int)response.StatusCode})";
                AssertSecurityHeaders(response, what);
                if (response.Content.Headers.ContentType?.MediaType == "text/html")
                {
                    Assert.True(response.Headers.CacheControl?.NoStore == true && response.Headers.CacheControl.NoCache, $"{what}: Cache-Control {response.Headers.CacheControl}");
                    Assert.Contains("no-cache", response.Headers.Pragma.ToString(), StringComparison.Ordinal);
                }
            }
        }
    }

    [Fact]
    public async Task Pages_with_forms_no_longer_make_antiforgery_warn_about_overridden_cache_headers()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        foreach (var page in new[] { "/", "/Account/Login", "/MultiSession/Accounts", "/Account/Profile" })
        {
            using var response = await browser.GetAsync(page);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.True(response.Headers.CacheControl is { NoCache: true, NoStore: true }, $"{page}: Cache-Control {response.Headers.CacheControl}");
        }

        Assert.DoesNotContain(factory.Log.Entries, e => e.Contains("have been overridden", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_json_api_and_its_problem_details_carry_nosniff_and_the_other_headers()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice");
        using var list = await browser.GetAsync("/multi-session/list-device-sessions");
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        AssertSecurityHeaders(list, "list-device-sessions");

        // From a foreign origin: refused, as problem details.
        using var refused = await browser.PostJsonAsync("/multi-session/sign-out", null, configure: r => r.Headers.Add("Origin", "https://evil.example"));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        AssertSecurityHeaders(refused, $"refused sign-out ({(int)refused.StatusCode})");

        using var missing = await browser.GetAsync("/multi-session/no-such-endpoint");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        AssertSecurityHeaders(missing, "unknown API path");
    }

    [Fact]
    public async Task OpenIddicts_form_post_page_runs_exactly_the_one_script_the_policy_allows_by_hash()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice");
        var client = new OidcClient(browser);
        using var response = await client.AuthorizeAsync(new Dictionary<string, string?> { ["response_mode"] = "form_post" });
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains($"action=\"{IdpFactory.RedirectUri}\"", body, StringComparison.Ordinal);
        AssertSecurityHeaders(response, "form_post page");

        var scripts = ScriptElement().Matches(body);
        var script = Assert.Single(scripts).Groups[1].Value;
        var hash = $"'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(script)))}'";
        Assert.Equal(MultiSessionSecurityHeadersOptions.OpenIddictFormPostScriptHash, hash);
        Assert.Contains($"script-src {hash}", Header(response, "Content-Security-Policy"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_library_stylesheet_is_served_and_no_page_carries_inline_style_or_script()
    {
        var browser = factory.CreateBrowser();
        using var css = await browser.GetAsync("/_content/IdentityServer.MultiSession/multisession.css");
        Assert.Equal(HttpStatusCode.OK, css.StatusCode);
        Assert.Equal("text/css", css.Content.Headers.ContentType?.MediaType);
        Assert.Contains("--ms-brand", await css.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        await browser.SignInOkAsync("alice", "bob");
        foreach (var page in Pages)
        {
            using var response = await browser.GetAsync(page);
            var html = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain("<style", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(" style=", html, StringComparison.OrdinalIgnoreCase);
            // Scripts only as the IdP's own static files (the passkey pages'), never inline.
            Assert.DoesNotMatch(InlineScript(), html);
        }
    }

    [GeneratedRegex("<script(?![^>]*\\ssrc=\"/[^\"]*\"[^>]*></script>)", RegexOptions.IgnoreCase)]
    private static partial Regex InlineScript();

    [GeneratedRegex("<script>(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex ScriptElement();
}
