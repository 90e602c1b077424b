using System.Net;
using IdentityServer.MultiSession.Tests.Infrastructure;
using IdpHost.Data;
using IdpHost.Login;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>
/// The sample's login page tells an attacker nothing (CWE-204, CWE-208): one password-hash verification and one message
/// for every failure; and it holds each account to an escalating lockout (ASVS 2.2.1).
/// </summary>
public abstract class LoginPageTests
{
    private readonly IdpFactory factory;

    protected LoginPageTests(IdpFactory factory)
    {
        this.factory = factory;
        factory.RequireDatabase();
    }

    private const string WrongPassword = "Wr0ng-password!";

    private async Task<ApplicationUser> CreateUserAsync(Action<ApplicationUser>? configure = null)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var name = "u" + Guid.NewGuid().ToString("N")[..12];
        var user = new ApplicationUser { UserName = name, Email = $"{name}@example.com", EmailConfirmed = true, DisplayName = name };
        configure?.Invoke(user);
        var result = await users.CreateAsync(user, DemoUsers.Password);
        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Select(e => e.Description)));
        return user;
    }

    private async Task<DateTimeOffset?> LockoutEndAsync(string userName)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        return await users.GetLockoutEndDateAsync((await users.FindByNameAsync(userName))!);
    }

    private async Task EndLockoutAsync(string userName)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = (await users.FindByNameAsync(userName))!;
        await users.SetLockoutEndDateAsync(user, DateTimeOffset.UtcNow.AddSeconds(-1));
    }

    /// <summary>Posts the login form; returns the status, the failure message shown (if any) and the hash verifications it cost.</summary>
    private async Task<(HttpStatusCode Status, string? Message, int Verifications, string Html)> AttemptAsync(string userName, string password)
    {
        var browser = factory.CreateBrowser();
        var page = await browser.GetPageAsync("/Account/Login");
        var form = page.QuerySelectorAll<IHtmlFormElement>("form").Single(f => f.QuerySelector("input[name='Input.Password']") is not null);
        var before = factory.PasswordHashes.Verifications;
        using var response = await browser.SubmitAsync(form, new Dictionary<string, string> { ["Input.UserName"] = userName, ["Input.Password"] = password });
        var verifications = factory.PasswordHashes.Verifications - before;
        var html = await response.Content.ReadAsStringAsync();
        var message = TestBrowser.Parse(html).QuerySelector(".ms-error")?.TextContent.Trim();
        return (response.StatusCode, message, verifications, html);
    }

    [SkippableFact]
    public async Task Every_failed_sign_in_costs_exactly_one_password_hash_verification_and_shows_one_message()
    {
        var locked = await CreateUserAsync(u => u.LockoutEnd = DateTimeOffset.UtcNow.AddHours(1));
        var twoFactor = await CreateUserAsync(u => u.TwoFactorEnabled = true);
        var plain = await CreateUserAsync();

        var attempts = new (string Case, string User, string Password)[]
        {
            ("unknown user", "nobody-" + Guid.NewGuid().ToString("N"), DemoUsers.Password),
            ("unknown email", "nobody@example.com", WrongPassword),
            ("wrong password", plain.UserName!, WrongPassword),
            ("locked out, right password", locked.UserName!, DemoUsers.Password),
            ("locked out, wrong password", locked.UserName!, WrongPassword),
            ("two-factor account, wrong password", twoFactor.UserName!, WrongPassword),
            ("empty password", plain.UserName!, string.Empty),
        };

        foreach (var (name, user, password) in attempts)
        {
            var (status, message, verifications, html) = await AttemptAsync(user, password);
            Assert.True(status == HttpStatusCode.OK, $"{name}: {(int)status}");
            Assert.True(verifications == 1, $"{name}: {verifications} password-hash verifications, expected exactly 1.");
            Assert.Equal(LoginTexts.Failed, message);
            Assert.DoesNotContain("locked", html, StringComparison.OrdinalIgnoreCase);
        }

        var (okStatus, _, okVerifications, _) = await AttemptAsync(plain.UserName!, DemoUsers.Password);
        Assert.Equal(HttpStatusCode.Redirect, okStatus);
        Assert.Equal(1, okVerifications);

        // The right password of a two-factor account leads on to its second factor, for the same one verification.
        var (secondFactorStatus, _, secondFactorVerifications, _) = await AttemptAsync(twoFactor.UserName!, DemoUsers.Password);
        Assert.Equal(HttpStatusCode.Redirect, secondFactorStatus);
        Assert.Equal(1, secondFactorVerifications);
    }

    [SkippableFact]
    public async Task Ten_failed_passwords_lock_the_account_and_each_further_lockout_soon_after_lasts_twice_as_long()
    {
        var user = (await CreateUserAsync()).UserName!;
        for (var i = 0; i < 9; i++)
        {
            await AttemptAsync(user, WrongPassword);
        }

        Assert.Null(await LockoutEndAsync(user));
        var start = DateTimeOffset.UtcNow;
        await AttemptAsync(user, WrongPassword);
        var first = await LockoutEndAsync(user);
        Assert.NotNull(first);
        Assert.InRange(first!.Value - start, TimeSpan.FromMinutes(4.9), TimeSpan.FromMinutes(5.1));

        // While locked, even the right password is refused, with the same message, and nothing is counted.
        var (status, message, _, _) = await AttemptAsync(user, DemoUsers.Password);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(LoginTexts.Failed, message);
        Assert.Equal(first, await LockoutEndAsync(user));

        // The lockout ends; ten more failures lock the account for twice as long.
        await EndLockoutAsync(user);
        for (var i = 0; i < 10; i++)
        {
            await AttemptAsync(user, WrongPassword);
        }

        var second = await LockoutEndAsync(user);
        Assert.InRange(second!.Value - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(9.8), TimeSpan.FromMinutes(10.1));

        // After it ends, the right password works again.
        await EndLockoutAsync(user);
        var (okStatus, _, _, _) = await AttemptAsync(user, DemoUsers.Password);
        Assert.Equal(HttpStatusCode.Redirect, okStatus);
    }
}

public sealed class LoginPageTestsOnSqlite(SqliteIdpFactory factory) : LoginPageTests(factory), IClassFixture<SqliteIdpFactory>;

public sealed class LoginPageTestsOnPostgreSql(PostgreSqlIdpFactory factory) : LoginPageTests(factory), IClassFixture<PostgreSqlIdpFactory>;
