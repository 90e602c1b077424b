using System.Net;
using IdentityServer.MultiSession.Tests.Infrastructure;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>
/// Two-factor sign-in (password, then an authenticator code or a recovery code) with several accounts in one browser:
/// each path adds exactly one device session, keeps the others, honours the limit before the second factor, remembers the
/// browser per account, and keeps two pending sign-ins in two tabs apart.
/// </summary>
public abstract class TwoFactorSignInTests
{
    private const string LimitMessage = "This browser already has 5 accounts signed in. Sign out of one to add another.";
    private readonly IdpFactory factory;

    protected TwoFactorSignInTests(IdpFactory factory)
    {
        this.factory = factory;
        factory.RequireDatabase();
    }

    [SkippableFact]
    public async Task Password_then_authenticator_code_adds_exactly_one_session_and_keeps_the_others()
    {
        var browser = factory.CreateBrowser();
        var plain = await TwoFactorAccounts.CreateAsync(factory, twoFactor: false);
        var twoFactor = await TwoFactorAccounts.CreateAsync(factory, twoFactor: true);
        await browser.SignInOkAsync(plain.UserName);

        using var password = await browser.PasswordStepAsync(twoFactor, "/Account/Profile");
        Assert.Equal(HttpStatusCode.Redirect, password.StatusCode);
        var secondFactorUrl = password.Headers.Location!.ToString();
        Assert.StartsWith("/Account/LoginWith2fa?attempt=", secondFactorUrl, StringComparison.Ordinal);
        Assert.Single(await browser.ListAsync());

        var page = await browser.GetPageAsync(secondFactorUrl);
        Assert.Contains(twoFactor.Email, page.QuerySelector(".ms-lead")!.TextContent, StringComparison.Ordinal);

        using var code = await browser.SubmitSecondFactorAsync(secondFactorUrl, new Dictionary<string, string>
        {
            ["Code"] = TwoFactorAccounts.Totp(twoFactor.AuthenticatorKey!),
            ["RememberMachine"] = "false",
        });
        PickerPage.AssertRedirectTo(code, "/Account/Profile");
        var sessions = await browser.ListAsync();
        Assert.Equal(2, sessions.Count);
        Assert.True((await browser.SessionOfAsync(twoFactor.Email)).GetProperty("active").GetBoolean());
        Assert.False((await browser.SessionOfAsync(plain.Email)).GetProperty("active").GetBoolean());
    }

    [SkippableFact]
    public async Task A_wrong_authenticator_code_adds_no_session_and_says_so()
    {
        var browser = factory.CreateBrowser();
        var twoFactor = await TwoFactorAccounts.CreateAsync(factory, twoFactor: true);
        using var password = await browser.PasswordStepAsync(twoFactor);
        var url = password.Headers.Location!.ToString();
        var wrong = TwoFactorAccounts.Totp(twoFactor.AuthenticatorKey!, DateTimeOffset.UtcNow.AddHours(-1));

        using var response = await browser.SubmitSecondFactorAsync(url, new Dictionary<string, string> { ["Code"] = wrong, ["RememberMachine"] = "false" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = TestBrowser.Parse(await response.Content.ReadAsStringAsync(), url);
        Assert.Equal("The code is not correct.", page.QuerySelector("[role=alert]")!.TextContent.Trim());
        Assert.Empty(await browser.ListAsync());
    }

    [SkippableFact]
    public async Task A_recovery_code_signs_in_once_and_adds_one_session_beside_the_others()
    {
        var browser = factory.CreateBrowser();
        var plain = await TwoFactorAccounts.CreateAsync(factory, twoFactor: false);
        var twoFactor = await TwoFactorAccounts.CreateAsync(factory, twoFactor: true);
        await browser.SignInOkAsync(plain.UserName);

        using var password = await browser.PasswordStepAsync(twoFactor, "/Account/Profile");
        var authenticatorPage = await browser.GetPageAsync(password.Headers.Location!.ToString());
        var recoveryUrl = authenticatorPage.QuerySelectorAll<IHtmlAnchorElement>("a").Single(a => a.TextContent.Trim() == "Use a recovery code instead").GetAttribute("href")!;
        Assert.StartsWith("/Account/LoginWithRecoveryCode?attempt=", recoveryUrl, StringComparison.Ordinal);

        using var recovered = await browser.SubmitSecondFactorAsync(System.Net.WebUtility.HtmlDecode(recoveryUrl), new Dictionary<string, string> { ["RecoveryCode"] = twoFactor.RecoveryCodes[0] });
        PickerPage.AssertRedirectTo(recovered, "/Account/Profile");
        Assert.Equal(2, (await browser.ListAsync()).Count);
        Assert.True((await browser.SessionOfAsync(twoFactor.Email)).GetProperty("active").GetBoolean());

        // The same code a second time, in another browser: refused.
        var other = factory.CreateBrowser();
        using var again = await other.PasswordStepAsync(twoFactor);
        var otherRecovery = TwoFactorSignInUrls.Recovery(again.Headers.Location!.ToString());
        using var reused = await other.SubmitSecondFactorAsync(otherRecovery, new Dictionary<string, string> { ["RecoveryCode"] = twoFactor.RecoveryCodes[0] });
        Assert.Equal(HttpStatusCode.OK, reused.StatusCode);
        Assert.Empty(await other.ListAsync());
    }

    [SkippableFact]
    public async Task A_full_browser_is_told_at_the_password_step_before_any_second_factor_is_asked_for()
    {
        var browser = factory.CreateBrowser();
        for (var i = 0; i < 5; i++)
        {
            await browser.SignInOkAsync((await TwoFactorAccounts.CreateAsync(factory, twoFactor: false)).UserName);
        }

        var sixth = await TwoFactorAccounts.CreateAsync(factory, twoFactor: true);
        using var response = await browser.PasswordStepAsync(sixth);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = TestBrowser.Parse(await response.Content.ReadAsStringAsync(), "/Account/Login");
        Assert.Equal(LimitMessage, page.QuerySelector(".ms-limit [role=alert]")!.TextContent.Trim());
        Assert.Null(page.QuerySelector("input[name=Code]"));
        Assert.Equal(5, (await browser.ListAsync()).Count);
    }

    [SkippableFact]
    public async Task An_account_already_on_a_full_browser_gets_its_second_factor_and_keeps_one_slot()
    {
        var browser = factory.CreateBrowser();
        var twoFactor = await TwoFactorAccounts.CreateAsync(factory, twoFactor: true);
        for (var i = 0; i < 4; i++)
        {
            await browser.SignInOkAsync((await TwoFactorAccounts.CreateAsync(factory, twoFactor: false)).UserName);
        }

        using (var first = await browser.SignInWithAuthenticatorAsync(twoFactor))
        {
            Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        }

        Assert.Equal(5, (await browser.ListAsync()).Count);
        using var again = await browser.SignInWithAuthenticatorAsync(twoFactor);
        Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
        Assert.Equal(5, (await browser.ListAsync()).Count);
        Assert.True((await browser.SessionOfAsync(twoFactor.Email)).GetProperty("active").GetBoolean());
    }

    [SkippableFact]
    public async Task A_browser_filled_by_another_tab_meanwhile_refuses_on_the_second_factor_page_without_using_the_recovery_code()
    {
        var browser = factory.CreateBrowser();
        for (var i = 0; i < 4; i++)
        {
            await browser.SignInOkAsync((await TwoFactorAccounts.CreateAsync(factory, twoFactor: false)).UserName);
        }

        var twoFactor = await TwoFactorAccounts.CreateAsync(factory, twoFactor: true);
        using var password = await browser.PasswordStepAsync(twoFactor);
        var recoveryUrl = TwoFactorSignInUrls.Recovery(password.Headers.Location!.ToString());
        var form = (await browser.GetPageAsync(recoveryUrl)).QuerySelector<IHtmlFormElement>("form[method=post]")!;

        // Another tab signs the fifth account in.
        await browser.SignInOkAsync((await TwoFactorAccounts.CreateAsync(factory, twoFactor: false)).UserName);

        using var refused = await browser.SubmitAsync(form, new Dictionary<string, string> { ["RecoveryCode"] = twoFactor.RecoveryCodes[0] });
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var page = TestBrowser.Parse(await refused.Content.ReadAsStringAsync(), recoveryUrl);
        Assert.Equal(LimitMessage, page.QuerySelector(".ms-limit [role=alert]")!.TextContent.Trim());
        Assert.Equal(5, (await browser.ListAsync()).Count);
        Assert.Equal(10, await factory.WithUsersAsync(async users => await users.CountRecoveryCodesAsync((await users.FindByIdAsync(twoFactor.Id))!)));
    }

    [SkippableFact]
    public async Task A_browser_filled_by_another_tab_meanwhile_refuses_the_authenticator_code_and_adds_no_session()
    {
        var browser = factory.CreateBrowser();
        for (var i = 0; i < 4; i++)
        {
            await browser.SignInOkAsync((await TwoFactorAccounts.CreateAsync(factory, twoFactor: false)).UserName);
        }

        var twoFactor = await TwoFactorAccounts.CreateAsync(factory, twoFactor: true);
        using var password = await browser.PasswordStepAsync(twoFactor);
        var codeUrl = password.Headers.Location!.ToString();
        Assert.StartsWith("/Account/LoginWith2fa?", codeUrl, StringComparison.Ordinal);
        var form = (await browser.GetPageAsync(codeUrl)).QuerySelector<IHtmlFormElement>("form[method=post]")!;

        // Another tab signs the fifth account in.
        await browser.SignInOkAsync((await TwoFactorAccounts.CreateAsync(factory, twoFactor: false)).UserName);

        using var refused = await browser.SubmitAsync(form, new Dictionary<string, string>
        {
            ["Code"] = TwoFactorAccounts.Totp(twoFactor.AuthenticatorKey!),
            ["RememberMachine"] = "false",
        });
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var page = TestBrowser.Parse(await refused.Content.ReadAsStringAsync(), codeUrl);
        Assert.Equal(LimitMessage, page.QuerySelector(".ms-limit [role=alert]")!.TextContent.Trim());
        Assert.Equal(5, (await browser.ListAsync()).Count);
        Assert.DoesNotContain(await browser.ListAsync(), e => e.GetProperty("user").GetProperty("email").GetString() == twoFactor.Email);
    }

    [SkippableFact]
    public async Task A_remembered_account_is_refused_by_the_limit_like_a_password_sign_in()
    {
        var browser = factory.CreateBrowser();
        var twoFactor = await TwoFactorAccounts.CreateAsync(factory, twoFactor: true);
        (await browser.SignInWithAuthenticatorAsync(twoFactor, remember: true)).Dispose();
        using (var signedOut = await (await PickerPage.OpenAsync(browser)).SignOutAsync(twoFactor.Email))
        {
            Assert.True(TestBrowser.IsRedirect(signedOut));
        }

        for (var i = 0; i < 5; i++)
        {
            await browser.SignInOkAsync((await TwoFactorAccounts.CreateAsync(factory, twoFactor: false)).UserName);
        }

        using var response = await browser.PasswordStepAsync(twoFactor);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = TestBrowser.Parse(await response.Content.ReadAsStringAsync(), "/Account/Login");
        Assert.Equal(LimitMessage, page.QuerySelector(".ms-limit [role=alert]")!.TextContent.Trim());
        Assert.Equal(5, (await browser.ListAsync()).Count);
        Assert.DoesNotContain(await browser.ListAsync(), e => e.GetProperty("user").GetProperty("email").GetString() == twoFactor.Email);
    }

    [SkippableFact]
    public async Task Remembering_the_browser_for_one_account_neither_skips_another_accounts_second_factor_nor_forgets_the_first()
    {
        var browser = factory.CreateBrowser();
        var bob = await TwoFactorAccounts.CreateAsync(factory, twoFactor: true, prefix: "bob");
        var carol = await TwoFactorAccounts.CreateAsync(factory, twoFactor: true, prefix: "carol");

        using (var remembered = await browser.SignInWithAuthenticatorAsync(bob, remember: true))
        {
            Assert.Equal(HttpStatusCode.Redirect, remembered.StatusCode);
        }

        // bob again: no second factor. carol: still asked.
        using (var bobAgain = await browser.PasswordStepAsync(bob, "/Account/Profile"))
        {
            PickerPage.AssertRedirectTo(bobAgain, "/Account/Profile");
        }

        using (var carolPassword = await browser.PasswordStepAsync(carol))
        {
            Assert.StartsWith("/Account/LoginWith2fa?", carolPassword.Headers.Location!.ToString(), StringComparison.Ordinal);
        }

        // Remembering carol too does not forget bob.
        using (var carolRemembered = await browser.SignInWithAuthenticatorAsync(carol, remember: true))
        {
            Assert.Equal(HttpStatusCode.Redirect, carolRemembered.StatusCode);
        }

        foreach (var account in new[] { bob, carol })
        {
            using var direct = await browser.PasswordStepAsync(account, "/Account/Profile");
            PickerPage.AssertRedirectTo(direct, "/Account/Profile");
        }

        Assert.Equal(2, (await browser.ListAsync()).Count);

        // Another browser remembers nobody.
        using var elsewhere = await factory.CreateBrowser().PasswordStepAsync(bob);
        Assert.StartsWith("/Account/LoginWith2fa?", elsewhere.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task A_password_change_forgets_the_remembered_browser_for_that_account_only()
    {
        var browser = factory.CreateBrowser();
        var bob = await TwoFactorAccounts.CreateAsync(factory, twoFactor: true, prefix: "bob");
        var carol = await TwoFactorAccounts.CreateAsync(factory, twoFactor: true, prefix: "carol");
        (await browser.SignInWithAuthenticatorAsync(bob, remember: true)).Dispose();
        (await browser.SignInWithAuthenticatorAsync(carol, remember: true)).Dispose();

        await factory.WithUsersAsync(async users => await users.UpdateSecurityStampAsync((await users.FindByIdAsync(bob.Id))!));

        using (var bobAgain = await browser.PasswordStepAsync(bob))
        {
            Assert.StartsWith("/Account/LoginWith2fa?", bobAgain.Headers.Location!.ToString(), StringComparison.Ordinal);
        }

        using var carolAgain = await browser.PasswordStepAsync(carol, "/Account/Profile");
        PickerPage.AssertRedirectTo(carolAgain, "/Account/Profile");
    }

    [SkippableFact]
    public async Task Two_tabs_with_pending_second_factors_for_different_accounts_each_finish_their_own_sign_in()
    {
        var browser = factory.CreateBrowser();
        var bob = await TwoFactorAccounts.CreateAsync(factory, twoFactor: true, prefix: "bob");
        var carol = await TwoFactorAccounts.CreateAsync(factory, twoFactor: true, prefix: "carol");

        using var bobPassword = await browser.PasswordStepAsync(bob);
        var bobTab = bobPassword.Headers.Location!.ToString();
        using var carolPassword = await browser.PasswordStepAsync(carol);
        var carolTab = carolPassword.Headers.Location!.ToString();
        Assert.NotEqual(bobTab, carolTab);

        // Each tab still shows its own account after the other's password step.
        Assert.Contains(bob.Email, (await browser.GetPageAsync(bobTab)).QuerySelector(".ms-lead")!.TextContent, StringComparison.Ordinal);
        Assert.Contains(carol.Email, (await browser.GetPageAsync(carolTab)).QuerySelector(".ms-lead")!.TextContent, StringComparison.Ordinal);

        // carol's tab finishes first, then bob's: both signed in.
        using (var carolDone = await browser.SubmitSecondFactorAsync(carolTab, new Dictionary<string, string> { ["Code"] = TwoFactorAccounts.Totp(carol.AuthenticatorKey!), ["RememberMachine"] = "false" }))
        {
            Assert.Equal(HttpStatusCode.Redirect, carolDone.StatusCode);
        }

        using (var bobDone = await browser.SubmitSecondFactorAsync(bobTab, new Dictionary<string, string> { ["Code"] = TwoFactorAccounts.Totp(bob.AuthenticatorKey!), ["RememberMachine"] = "false" }))
        {
            Assert.Equal(HttpStatusCode.Redirect, bobDone.StatusCode);
        }

        var sessions = await browser.ListAsync();
        Assert.Equal(2, sessions.Count);
        Assert.True((await browser.SessionOfAsync(bob.Email)).GetProperty("active").GetBoolean());

        // A finished attempt cannot be used again.
        var finished = await browser.GetPageAsync(carolTab);
        Assert.Equal("This sign-in has expired or was already finished. Sign in again.", finished.QuerySelector("[role=alert]")!.TextContent.Trim());
    }

    [SkippableFact]
    public async Task A_second_factor_page_from_another_browser_names_no_pending_sign_in()
    {
        var browser = factory.CreateBrowser();
        var bob = await TwoFactorAccounts.CreateAsync(factory, twoFactor: true);
        using var password = await browser.PasswordStepAsync(bob);
        var url = password.Headers.Location!.ToString();

        var attacker = factory.CreateBrowser();
        var page = await attacker.GetPageAsync(url);
        Assert.Null(page.QuerySelector("input[name=Code]"));
        Assert.Equal("This sign-in has expired or was already finished. Sign in again.", page.QuerySelector("[role=alert]")!.TextContent.Trim());
    }
}

/// <summary>The second-factor pages' URLs.</summary>
internal static class TwoFactorSignInUrls
{
    public static string Recovery(string authenticatorUrl) =>
        authenticatorUrl.Replace("/Account/LoginWith2fa?", "/Account/LoginWithRecoveryCode?", StringComparison.Ordinal);
}

/// <summary>TwoFactorSignInTests on SQLite.</summary>
public sealed class TwoFactorSignInTestsOnSqlite(SqliteIdpFactory factory) : TwoFactorSignInTests(factory), IClassFixture<SqliteIdpFactory>;

/// <summary>TwoFactorSignInTests on PostgreSQL.</summary>
public sealed class TwoFactorSignInTestsOnPostgreSql(PostgreSqlIdpFactory factory) : TwoFactorSignInTests(factory), IClassFixture<PostgreSqlIdpFactory>;
