using System.Net;
using System.Security.Cryptography;
using IdentityServer.MultiSession.Storage;
using IdentityServer.MultiSession.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Tokens;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>The device cookie and what is stored in its place (BEHAVIOUR.md §2, §7).</summary>
public sealed class DeviceCookieTests(IdpFactory factory) : IClassFixture<IdpFactory>
{
    [Fact]
    public async Task In_development_the_device_cookie_is_HttpOnly_SameSite_Lax_path_root_and_not_Secure_over_http()
    {
        var browser = factory.CreateBrowser();
        using var response = await browser.SignInAsync("alice");
        var header = response.Headers.GetValues("Set-Cookie").Single(h => h.StartsWith(MultiSessionDefaults.DevelopmentDeviceCookieName + "=", StringComparison.Ordinal));
        Assert.Contains("httponly", header, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", header, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/", header, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secure", header, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("expires=", header, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Outside_development_the_device_cookie_is_host_prefixed_and_Secure()
    {
        using var production = new IdpFactory { EnvironmentName = "Production" };
        var client = production.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions
        {
            BaseAddress = new Uri("https://localhost"),
            AllowAutoRedirect = false,
        });
        using var loginPage = await client.GetAsync("/Account/Login");
        var html = await loginPage.Content.ReadAsStringAsync();
        var document = TestBrowser.Parse(html);
        var token = document.QuerySelector<IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value;
        using var response = await client.PostAsync("/Account/Login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.UserName"] = "alice",
            ["Input.Password"] = IdpHost.Data.DemoUsers.Password,
            ["__RequestVerificationToken"] = token,
        }));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var header = response.Headers.GetValues("Set-Cookie").Single(h => h.StartsWith("__Host-MultiSession.Device=", StringComparison.Ordinal));
        Assert.Contains("secure", header, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", header, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", header, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/", header, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("domain=", header, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Only_a_hash_of_the_device_secret_is_stored()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice");
        var secret = browser.DeviceCookie!;
        Assert.True(Base64UrlEncoder.DecodeBytes(secret).Length >= 32, "the device secret has at least 256 bits");
        var expected = Convert.ToHexStringLower(SHA256.HashData(Base64UrlEncoder.DecodeBytes(secret)));

        var stored = await factory.WithDatabaseAsync(db => db.Set<DeviceEntity>().Select(d => d.SecretHash).ToListAsync());
        Assert.Contains(expected, stored);
        Assert.DoesNotContain(secret, stored);
        var tickets = await factory.WithDatabaseAsync(db => db.Set<DeviceSessionEntity>().Select(s => s.Ticket).ToListAsync());
        Assert.All(tickets, t => Assert.DoesNotContain(secret, System.Text.Encoding.UTF8.GetString(t), StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_device_signing_in_from_a_signed_out_state_gets_a_new_secret_and_the_old_one_names_nothing()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice");
        var first = browser.DeviceCookie!;
        using (var _ = await browser.PostJsonAsync("/multi-session/sign-out", null))
        {
        }

        // A fixated (planted) cookie value is not kept either: the sign-in replaces it.
        browser.Cookies.Add(new Uri("http://localhost/"), new Cookie(MultiSessionDefaults.DevelopmentDeviceCookieName, first));
        await browser.SignInOkAsync("bob");
        var second = browser.DeviceCookie!;
        Assert.NotEqual(first, second);

        var attacker = factory.CreateBrowser();
        attacker.Cookies.Add(new Uri("http://localhost/"), new Cookie(MultiSessionDefaults.DevelopmentDeviceCookieName, first));
        Assert.Empty(await attacker.ListAsync());
    }

    [Fact]
    public async Task Adding_an_account_to_a_signed_in_device_gives_it_a_new_secret()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice");
        var first = browser.DeviceCookie;
        await browser.SignInOkAsync("bob");
        Assert.NotEqual(first, browser.DeviceCookie);
        Assert.Equal(2, (await browser.ListAsync()).Count);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("%00%01")]
    public async Task A_missing_garbage_or_forged_device_cookie_is_treated_as_signed_out(string value)
    {
        var browser = factory.CreateBrowser();
        browser.Cookies.Add(new Uri("http://localhost/"), new Cookie(MultiSessionDefaults.DevelopmentDeviceCookieName, value));
        Assert.Empty(await browser.ListAsync());
        using var home = await browser.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        using var profile = await browser.GetAsync("/Account/Profile");
        PickerPage.AssertRedirectTo(profile, "/Account/Login");
    }
}
