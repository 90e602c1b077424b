using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using IdentityServer.MultiSession.Storage;
using IdentityServer.MultiSession.Tests.Infrastructure;
using IdpHost.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>Hostile input with exact answers, and the races of BEHAVIOUR.md §7 (issue: hardening).</summary>
public sealed class HostileInputTests(SqliteIdpFactory factory) : IClassFixture<SqliteIdpFactory>
{
    [Fact]
    public async Task Markup_in_a_display_name_is_rendered_escaped_on_every_page()
    {
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            if (await users.FindByNameAsync("mallory") is null)
            {
                var created = await users.CreateAsync(new ApplicationUser
                {
                    UserName = "mallory",
                    Email = "mallory@example.com",
                    DisplayName = "<img src=x onerror=alert(1)><script>alert(2)</script>",
                }, DemoUsers.Password);
                Assert.True(created.Succeeded);
            }
        }

        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("mallory");
        foreach (var url in new[] { "/", "/MultiSession/Accounts", "/Account/Profile" })
        {
            var html = await (await browser.GetAsync(url)).Content.ReadAsStringAsync();
            Assert.DoesNotContain("<script>alert(2)</script>", html, StringComparison.Ordinal);
            Assert.DoesNotContain("<img src=x", html, StringComparison.Ordinal);
            Assert.Contains("&lt;script&gt;", html, StringComparison.Ordinal);
        }

        var json = await (await browser.GetAsync("/multi-session/list-device-sessions")).Content.ReadAsStringAsync();
        Assert.Equal("<img src=x onerror=alert(1)><script>alert(2)</script>", JsonDocument.Parse(json).RootElement[0].GetProperty("user").GetProperty("name").GetString());
    }

    [Fact]
    public async Task A_form_field_name_with_an_unclosed_bracket_is_an_ignored_field_not_a_500()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        var picker = await PickerPage.OpenAsync(browser);
        using var response = await browser.SubmitAsync(picker.SignOutForm("alice@example.com"), new Dictionary<string, string> { ["x[y"] = "1" });
        Assert.True((int)response.StatusCode < 500, $"Answered {(int)response.StatusCode}.");
        Assert.Equal(["bob@example.com"], (await browser.ListAsync()).Select(e => e.GetProperty("user").GetProperty("email").GetString()!).ToArray());
    }

    [Fact]
    public async Task An_oversized_device_cookie_is_treated_as_signed_out()
    {
        var browser = factory.CreateBrowser();
        browser.Cookies.Add(new Uri("http://localhost/"), new Cookie(MultiSessionDefaults.DevelopmentDeviceCookieName, new string('A', 4000)));
        Assert.Empty(await browser.ListAsync());
        using var response = await browser.PostJsonAsync("/multi-session/sign-out", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task An_id_token_hint_signed_by_another_idp_is_refused_at_the_authorization_and_end_session_endpoints()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice");
        var before = await browser.ListAsync();
        var sub = before[0].GetProperty("user").GetProperty("id").GetString();
        var foreign = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "https://evil.example/",
            Audience = IdpFactory.ClientId,
            Claims = new Dictionary<string, object> { ["sub"] = sub!, ["sid"] = before[0].GetProperty("sessionId").GetString()! },
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(RSA.Create(2048)), SecurityAlgorithms.RsaSha256),
        });

        var client = new OidcClient(browser);
        using var authorize = await browser.GetAsync(client.AuthorizeUrl(new Dictionary<string, string?> { ["id_token_hint"] = foreign, ["prompt"] = "none" }));
        Assert.True((int)authorize.StatusCode < 500);
        var callback = OidcClient.Callback(authorize);
        Assert.False(callback.ContainsKey("code"));
        Assert.Equal("invalid_request", callback["error"]);

        using var endSession = await browser.GetAsync("/connect/endsession?id_token_hint=" + Uri.EscapeDataString(foreign));
        // A hint that does not validate names no session here: the request is suspect and ends nothing without asking.
        Assert.Equal(HttpStatusCode.OK, endSession.StatusCode);
        Assert.Contains("Sign out?", await endSession.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before.Select(e => e.ToString()), (await browser.ListAsync()).Select(e => e.ToString()));
    }

    [Fact]
    public async Task Set_active_and_revoke_racing_on_one_session_leave_an_active_session_that_exists()
    {
        for (var round = 0; round < 10; round++)
        {
            var browser = factory.CreateBrowser();
            await browser.SignInOkAsync("alice", "bob", "carol");
            var alice = (await browser.SessionOfAsync("alice@example.com")).GetProperty("sessionToken").GetString();
            var body = JsonSerializer.Serialize(new { sessionToken = alice });
            var responses = await Task.WhenAll(
                browser.PostJsonAsync("/multi-session/set-active", body),
                browser.PostJsonAsync("/multi-session/revoke", body),
                browser.PostJsonAsync("/multi-session/set-active", body));
            Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound, $"{(int)r.StatusCode}"));

            var devices = await factory.WithDatabaseAsync(db => db.Set<DeviceEntity>()
                .Select(d => new { d.ActiveSessionId, Ids = d.Sessions.Select(s => s.Id).ToList() })
                .ToListAsync());
            var list = await browser.ListAsync();
            Assert.Equal(2, list.Count);
            Assert.Single(list, e => e.GetProperty("active").GetBoolean());
            var activeId = list.Single(e => e.GetProperty("active").GetBoolean()).GetProperty("sessionId").GetString();
            // The device row itself names an active session that exists (not only the list's fallback).
            Assert.Contains(devices, d => d.ActiveSessionId == activeId && d.Ids.Contains(activeId!));
        }
    }
}

/// <summary>The background cleanup survives a failing batch.</summary>
public sealed class CleanupFaultTests
{
    [Fact]
    public async Task A_failing_cleanup_run_is_logged_and_the_next_interval_removes_the_expired_sessions()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var factory = new IdpFactory { Time = time };
        factory.Settings["MultiSession:SlidingExpiration"] = "00:10:00";
        factory.Settings["MultiSession:CleanupInterval"] = "00:30:00";
        await factory.CreateBrowser().SignInOkAsync("alice", "bob");

        factory.Faults.FailOn = "DELETE FROM \"MultiSessionDeviceSessions\"";
        time.Advance(TimeSpan.FromMinutes(31));
        for (var i = 0; i < 100 && !factory.Log.Entries.Any(e => e.Contains("Cleanup of expired sessions failed", StringComparison.Ordinal)); i++)
        {
            await Task.Delay(50);
        }

        Assert.Contains(factory.Log.Entries, e => e.Contains("Cleanup of expired sessions failed", StringComparison.Ordinal));
        factory.Faults.FailOn = null;
        Assert.Equal((1, 2), await factory.CountRowsAsync());

        time.Advance(TimeSpan.FromMinutes(31));
        Assert.Equal((0, 0), await factory.WaitForRowsAsync((0, 0)));
    }
}
