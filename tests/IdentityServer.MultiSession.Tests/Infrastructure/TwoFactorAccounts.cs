using System.Net;
using System.Security.Cryptography;
using IdpHost.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityServer.MultiSession.Tests.Infrastructure;

/// <summary>Accounts created for one test (so tests sharing a host do not share state), with or without an authenticator app.</summary>
public static class TwoFactorAccounts
{
    /// <summary>A new account with the demo password; with <paramref name="twoFactor"/>, an authenticator key and 10 recovery codes.</summary>
    public static async Task<TestAccount> CreateAsync(IdpFactory factory, bool twoFactor, string? prefix = null)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var name = $"{prefix ?? (twoFactor ? "tf" : "pw")}{Guid.NewGuid():N}"[..20];
        var user = new ApplicationUser { UserName = name, Email = $"{name}@example.com", EmailConfirmed = true, DisplayName = name };
        var created = await users.CreateAsync(user, DemoUsers.Password);
        Assert.True(created.Succeeded, string.Join("; ", created.Errors.Select(e => e.Description)));
        if (!twoFactor)
        {
            return new TestAccount(user.Id, name, user.Email, null, []);
        }

        await users.ResetAuthenticatorKeyAsync(user);
        var key = await users.GetAuthenticatorKeyAsync(user);
        await users.SetTwoFactorEnabledAsync(user, true);
        var codes = (await users.GenerateNewTwoFactorRecoveryCodesAsync(user, 10))!.ToList();
        return new TestAccount(user.Id, name, user.Email, key, codes);
    }

    /// <summary>Runs <paramref name="action"/> with the host's user manager.</summary>
    public static async Task<T> WithUsersAsync<T>(this IdpFactory factory, Func<UserManager<ApplicationUser>, Task<T>> action)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>());
    }

    /// <summary>The RFC 6238 code (SHA-1, 30 s, 6 digits) of a Base32 key, as an authenticator app shows it now.</summary>
    public static string Totp(string base32Key, DateTimeOffset? at = null)
    {
        var key = Base32Decode(base32Key);
        var counter = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds() / 30;
        var message = new byte[8];
        for (var i = 7; i >= 0; i--)
        {
            message[i] = (byte)(counter & 0xff);
            counter >>= 8;
        }

        var hash = HMACSHA1.HashData(key, message);
        var offset = hash[^1] & 0x0f;
        var binary = ((hash[offset] & 0x7f) << 24) | (hash[offset + 1] << 16) | (hash[offset + 2] << 8) | hash[offset + 3];
        return (binary % 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
    }

    private static byte[] Base32Decode(string input)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var clean = input.Trim().TrimEnd('=').Replace(" ", string.Empty, StringComparison.Ordinal).ToUpperInvariant();
        var output = new List<byte>();
        int buffer = 0, bits = 0;
        foreach (var c in clean)
        {
            buffer = (buffer << 5) | alphabet.IndexOf(c, StringComparison.Ordinal);
            bits += 5;
            if (bits >= 8)
            {
                bits -= 8;
                output.Add((byte)((buffer >> bits) & 0xff));
            }
        }

        return [.. output];
    }

    /// <summary>Submits the password form; on a two-factor account the answer is a redirect to the second-factor page.</summary>
    public static Task<HttpResponseMessage> PasswordStepAsync(this TestBrowser browser, TestAccount account, string? returnUrl = null) =>
        browser.SignInAsync(account.UserName, returnUrl);

    /// <summary>Opens the second-factor page a password step redirected to and submits <paramref name="fields"/>.</summary>
    public static async Task<HttpResponseMessage> SubmitSecondFactorAsync(this TestBrowser browser, string pageUrl, IDictionary<string, string> fields)
    {
        var page = await browser.GetPageAsync(pageUrl);
        var form = page.QuerySelector<IHtmlFormElement>("form[method=post]");
        Assert.True(form is not null, $"No form on {pageUrl}: {page.Body?.TextContent.Trim()}");
        return await browser.SubmitAsync(form, fields);
    }

    /// <summary>The full two-factor sign-in with the authenticator code; asserts each step.</summary>
    public static async Task<HttpResponseMessage> SignInWithAuthenticatorAsync(this TestBrowser browser, TestAccount account, bool remember = false, string? returnUrl = null)
    {
        using var password = await browser.PasswordStepAsync(account, returnUrl);
        Assert.True(password.StatusCode == HttpStatusCode.Redirect, $"The password step of {account.UserName} answered {(int)password.StatusCode}");
        var location = password.Headers.Location!.ToString();
        Assert.StartsWith("/Account/LoginWith2fa?", location, StringComparison.Ordinal);
        var fields = new Dictionary<string, string> { ["Code"] = Totp(account.AuthenticatorKey!), ["RememberMachine"] = remember ? "true" : "false" };
        return await browser.SubmitSecondFactorAsync(location, fields);
    }
}

/// <summary>An account made for a test.</summary>
public sealed record TestAccount(string Id, string UserName, string Email, string? AuthenticatorKey, IReadOnlyList<string> RecoveryCodes);
