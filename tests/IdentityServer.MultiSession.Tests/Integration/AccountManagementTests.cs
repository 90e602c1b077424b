using System.Net;
using IdentityServer.MultiSession.Tests.Infrastructure;
using IdpHost.Data;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>
/// The sample's account pages (register, change password, authenticator app, recovery codes, external logins) with several
/// accounts in one browser: each acts on the account its form was rendered for, and a refresh of the sign-in keeps the session.
/// </summary>
public abstract class AccountManagementTests
{
    private readonly IdpFactory factory;

    protected AccountManagementTests(IdpFactory factory)
    {
        this.factory = factory;
        factory.RequireDatabase();
    }

    [SkippableFact]
    public async Task Registering_adds_the_new_account_to_the_browser_beside_the_others()
    {
        var browser = factory.CreateBrowser();
        var existing = await TwoFactorAccounts.CreateAsync(factory, twoFactor: false);
        await browser.SignInOkAsync(existing.UserName);
        var email = $"new{Guid.NewGuid():N}"[..16] + "@example.com";

        var form = (await browser.GetPageAsync("/Account/Register?ReturnUrl=%2FAccount%2FProfile")).QuerySelector<IHtmlFormElement>("form[method=post]")!;
        using var response = await browser.SubmitAsync(form, new Dictionary<string, string>
        {
            ["Email"] = email,
            ["DisplayName"] = "New Person",
            ["Password"] = DemoUsers.Password,
            ["ConfirmPassword"] = DemoUsers.Password,
        });

        PickerPage.AssertRedirectTo(response, "/Account/Profile");
        Assert.Equal(2, (await browser.ListAsync()).Count);
        Assert.True((await browser.SessionOfAsync(email)).GetProperty("active").GetBoolean());
    }

    [SkippableFact]
    public async Task Registering_on_a_full_browser_shows_the_limit_and_creates_no_account()
    {
        var browser = factory.CreateBrowser();
        for (var i = 0; i < 5; i++)
        {
            await browser.SignInOkAsync((await TwoFactorAccounts.CreateAsync(factory, twoFactor: false)).UserName);
        }

        var page = await browser.GetPageAsync("/Account/Register");
        Assert.NotNull(page.QuerySelector(".ms-limit [role=alert]"));
        Assert.Null(page.QuerySelector("input[name=Password]"));
        Assert.Equal(5, (await browser.ListAsync()).Count);
    }

    [SkippableFact]
    public async Task Changing_the_password_works_and_keeps_the_other_accounts_signed_in()
    {
        var browser = factory.CreateBrowser();
        var other = await TwoFactorAccounts.CreateAsync(factory, twoFactor: false);
        var account = await TwoFactorAccounts.CreateAsync(factory, twoFactor: false);
        await browser.SignInOkAsync(other.UserName, account.UserName);

        using var changed = await ChangePasswordAsync(browser, DemoUsers.Password, "N3w-Passw0rd!");
        Assert.Equal("Your password has been changed.", await StatusAsync(changed));
        Assert.Equal(2, (await browser.ListAsync()).Count);
        Assert.True((await browser.SessionOfAsync(account.Email)).GetProperty("active").GetBoolean());
        Assert.True(await factory.WithUsersAsync(async users => await users.CheckPasswordAsync((await users.FindByIdAsync(account.Id))!, "N3w-Passw0rd!")));

        // The account is still signed in here: its pages still work.
        using var profile = await browser.GetAsync("/Account/Manage");
        Assert.Equal(HttpStatusCode.OK, profile.StatusCode);
    }

    /// <summary>
    /// Re-authentication rules: a refresh of the sign-in after a change on a management page renews the session in place, with
    /// the same sid and the old auth_time. Relies on RefreshSignInAsync renewing the device session in place in the library.
    /// </summary>
    [SkippableFact]
    public async Task Changing_the_password_keeps_the_sessions_sid_and_auth_time()
    {
        var browser = factory.CreateBrowser();
        var account = await TwoFactorAccounts.CreateAsync(factory, twoFactor: false);
        await browser.SignInOkAsync(account.UserName);
        var before = await IdTokenAsync(browser);
        await Task.Delay(1100);

        using var changed = await ChangePasswordAsync(browser, DemoUsers.Password, "N3w-Passw0rd!");
        Assert.Equal("Your password has been changed.", await StatusAsync(changed));
        var after = await IdTokenAsync(browser);
        Assert.Equal(before.GetClaim("sid").Value, after.GetClaim("sid").Value);
        Assert.Equal(before.GetClaim("auth_time").Value, after.GetClaim("auth_time").Value);
    }

    [SkippableFact]
    public async Task Changing_the_password_keeps_the_accounts_authentication_methods()
    {
        var browser = factory.CreateBrowser();
        var account = await TwoFactorAccounts.CreateAsync(factory, twoFactor: true);
        (await browser.SignInWithAuthenticatorAsync(account)).Dispose();
        Assert.Equal(["pwd", "mfa", "otp"], (await IdTokenAsync(browser)).Claims.Where(c => c.Type == "amr").Select(c => c.Value));

        using var changed = await ChangePasswordAsync(browser, DemoUsers.Password, "N3w-Passw0rd!");
        Assert.Equal("Your password has been changed.", await StatusAsync(changed));
        Assert.Equal(["pwd", "mfa", "otp"], (await IdTokenAsync(browser)).Claims.Where(c => c.Type == "amr").Select(c => c.Value));
    }

    [SkippableFact]
    public async Task A_form_posted_after_another_tab_switched_accounts_is_refused_and_changes_nothing()
    {
        var browser = factory.CreateBrowser();
        var alice = await TwoFactorAccounts.CreateAsync(factory, twoFactor: false, prefix: "alice");
        var bob = await TwoFactorAccounts.CreateAsync(factory, twoFactor: false, prefix: "bob");
        await browser.SignInOkAsync(alice.UserName, bob.UserName);

        // bob's tab opens the change-password form; another tab switches to alice.
        var form = (await browser.GetPageAsync("/Account/Manage/ChangePassword")).QuerySelector<IHtmlFormElement>("form[method=post]")!;
        using (var switched = await (await PickerPage.OpenAsync(browser)).UseAsync(alice.Email))
        {
            Assert.True(TestBrowser.IsRedirect(switched));
        }

        Assert.True((await browser.SessionOfAsync(alice.Email)).GetProperty("active").GetBoolean());

        using var refused = await browser.SubmitAsync(form, new Dictionary<string, string>
        {
            ["OldPassword"] = DemoUsers.Password,
            ["NewPassword"] = "N3w-Passw0rd!",
            ["ConfirmPassword"] = "N3w-Passw0rd!",
        });
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var page = TestBrowser.Parse(await refused.Content.ReadAsStringAsync());
        var message = page.QuerySelector(".ms-alert[role=alert]")!.TextContent;
        Assert.Contains($"opened for {bob.Email}", message, StringComparison.Ordinal);
        Assert.Contains($"{alice.Email} is now the active account", message, StringComparison.Ordinal);
        Assert.Contains(factory.Log.Entries, e => e.Contains($"[352]: Account form refused: rendered for user {bob.Id}, the active account is user {alice.Id}.", StringComparison.Ordinal));
        foreach (var account in new[] { alice, bob })
        {
            Assert.True(await factory.WithUsersAsync(async users => await users.CheckPasswordAsync((await users.FindByIdAsync(account.Id))!, DemoUsers.Password)));
        }
    }

    [SkippableFact]
    public async Task A_form_whose_account_field_was_tampered_with_is_refused()
    {
        var browser = factory.CreateBrowser();
        var account = await TwoFactorAccounts.CreateAsync(factory, twoFactor: false);
        await browser.SignInOkAsync(account.UserName);
        var form = (await browser.GetPageAsync("/Account/Manage/ChangePassword")).QuerySelector<IHtmlFormElement>("form[method=post]")!;

        using var refused = await browser.SubmitAsync(form, new Dictionary<string, string>
        {
            ["account"] = account.Id,
            ["OldPassword"] = DemoUsers.Password,
            ["NewPassword"] = "N3w-Passw0rd!",
            ["ConfirmPassword"] = "N3w-Passw0rd!",
        });
        var page = TestBrowser.Parse(await refused.Content.ReadAsStringAsync());
        Assert.Equal("This form has expired. Nothing was changed: try again.", page.QuerySelector(".ms-alert")!.TextContent.Trim());
        Assert.True(await factory.WithUsersAsync(async users => await users.CheckPasswordAsync((await users.FindByIdAsync(account.Id))!, DemoUsers.Password)));
    }

    [SkippableFact]
    public async Task Setting_up_an_authenticator_app_turns_two_factor_on_shows_recovery_codes_and_the_next_sign_in_asks_for_a_code()
    {
        var browser = factory.CreateBrowser();
        var account = await TwoFactorAccounts.CreateAsync(factory, twoFactor: false);
        await browser.SignInOkAsync(account.UserName);

        var setup = await browser.GetPageAsync("/Account/Manage/EnableAuthenticator");
        var key = setup.QuerySelector("#shared-key")!.TextContent.Replace(" ", string.Empty, StringComparison.Ordinal).ToUpperInvariant();
        var uri = setup.QuerySelector("#authenticator-uri")!.TextContent;
        Assert.StartsWith("otpauth://totp/", uri, StringComparison.Ordinal);
        Assert.Contains($"secret={key}", uri, StringComparison.Ordinal);

        using var enabled = await browser.SubmitAsync(setup.QuerySelector<IHtmlFormElement>("form[method=post]")!, new Dictionary<string, string> { ["Code"] = TwoFactorAccounts.Totp(key) });
        var html = await enabled.Content.ReadAsStringAsync();
        Assert.True(enabled.StatusCode == HttpStatusCode.OK, $"{(int)enabled.StatusCode} {enabled.Headers.Location} {html}");
        var page = TestBrowser.Parse(html);
        Assert.Equal("Two-factor authentication is on.", page.QuerySelector("[role=status]")!.TextContent.Trim());
        var codes = page.QuerySelectorAll(".recovery-code").Select(c => c.TextContent.Trim()).ToList();
        Assert.Equal(10, codes.Count);
        Assert.Single(await browser.ListAsync());

        var other = factory.CreateBrowser();
        using var password = await other.PasswordStepAsync(account);
        Assert.StartsWith("/Account/LoginWith2fa?", password.Headers.Location!.ToString(), StringComparison.Ordinal);
        using var recovered = await other.SubmitSecondFactorAsync(TwoFactorSignInUrls.Recovery(password.Headers.Location!.ToString()), new Dictionary<string, string> { ["RecoveryCode"] = codes[3] });
        Assert.Equal(HttpStatusCode.Redirect, recovered.StatusCode);
        Assert.Single(await other.ListAsync());
    }

    [SkippableFact]
    public async Task A_wrong_code_does_not_turn_two_factor_on()
    {
        var browser = factory.CreateBrowser();
        var account = await TwoFactorAccounts.CreateAsync(factory, twoFactor: false);
        await browser.SignInOkAsync(account.UserName);
        var setup = await browser.GetPageAsync("/Account/Manage/EnableAuthenticator");

        using var response = await browser.SubmitAsync(setup.QuerySelector<IHtmlFormElement>("form[method=post]")!, new Dictionary<string, string> { ["Code"] = "000000x" });
        var page = TestBrowser.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("The code is not correct.", page.QuerySelector("[role=alert]")!.TextContent.Trim());
        Assert.False(await factory.WithUsersAsync(async users => await users.GetTwoFactorEnabledAsync((await users.FindByIdAsync(account.Id))!)));
    }

    [SkippableFact]
    public async Task Resetting_the_authenticator_app_turns_two_factor_off_and_the_old_key_stops_working()
    {
        var browser = factory.CreateBrowser();
        var account = await TwoFactorAccounts.CreateAsync(factory, twoFactor: true);
        (await browser.SignInWithAuthenticatorAsync(account)).Dispose();

        var manage = await browser.GetPageAsync("/Account/Manage/TwoFactor");
        using var reset = await browser.SubmitAsync(manage.QuerySelector<IHtmlFormElement>("form[action*='handler=ResetAuthenticator']")!);
        PickerPage.AssertRedirectTo(reset, "/Account/Manage/EnableAuthenticator");

        var (enabled, key) = await factory.WithUsersAsync(async users =>
        {
            var user = (await users.FindByIdAsync(account.Id))!;
            return (await users.GetTwoFactorEnabledAsync(user), await users.GetAuthenticatorKeyAsync(user));
        });
        Assert.False(enabled);
        Assert.NotEqual(account.AuthenticatorKey, key);
        Assert.Single(await browser.ListAsync());
    }

    [SkippableFact]
    public async Task Forgetting_the_browser_for_one_account_keeps_it_remembered_for_the_other()
    {
        var browser = factory.CreateBrowser();
        var bob = await TwoFactorAccounts.CreateAsync(factory, twoFactor: true, prefix: "bob");
        var carol = await TwoFactorAccounts.CreateAsync(factory, twoFactor: true, prefix: "carol");
        (await browser.SignInWithAuthenticatorAsync(carol, remember: true)).Dispose();
        (await browser.SignInWithAuthenticatorAsync(bob, remember: true)).Dispose();

        // bob is active: forget this browser for bob.
        var manage = await browser.GetPageAsync("/Account/Manage/TwoFactor");
        using var forgotten = await browser.SubmitAsync(manage.QuerySelector<IHtmlFormElement>("form[action*='handler=ForgetBrowser']")!);
        Assert.Equal("This browser will ask this account for a code again.", await StatusAsync(forgotten));

        using (var bobAgain = await browser.PasswordStepAsync(bob))
        {
            Assert.StartsWith("/Account/LoginWith2fa?", bobAgain.Headers.Location!.ToString(), StringComparison.Ordinal);
        }

        using var carolAgain = await browser.PasswordStepAsync(carol, "/Account/Profile");
        PickerPage.AssertRedirectTo(carolAgain, "/Account/Profile");
    }

    [SkippableFact]
    public async Task External_logins_page_lists_none_for_a_password_account()
    {
        var browser = factory.CreateBrowser();
        var account = await TwoFactorAccounts.CreateAsync(factory, twoFactor: false);
        await browser.SignInOkAsync(account.UserName);
        var page = await browser.GetPageAsync("/Account/Manage/ExternalLogins");
        Assert.Contains("No external login is linked to this account.", page.Body!.TextContent, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Management_pages_send_an_anonymous_visitor_to_the_login_page()
    {
        using var response = await factory.CreateBrowser().GetAsync("/Account/Manage/ChangePassword");
        PickerPage.AssertRedirectTo(response, "/Account/Login");
    }

    [SkippableFact]
    public async Task The_pages_speak_German_and_French_when_the_browser_asks()
    {
        var browser = factory.CreateBrowser();
        var account = await TwoFactorAccounts.CreateAsync(factory, twoFactor: false);
        await browser.SignInOkAsync(account.UserName);
        foreach (var (language, title) in new[] { ("de-DE,de;q=0.9", "Passwort ändern"), ("fr", "Changer votre mot de passe"), ("en", "Change your password") })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/Account/Manage/ChangePassword");
            request.Headers.AcceptLanguage.ParseAdd(language);
            using var response = await browser.Client.SendAsync(request);
            var page = TestBrowser.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal(title, page.QuerySelector("h1")!.TextContent.Trim());
        }
    }

    private static async Task<HttpResponseMessage> ChangePasswordAsync(TestBrowser browser, string oldPassword, string newPassword)
    {
        var form = (await browser.GetPageAsync("/Account/Manage/ChangePassword")).QuerySelector<IHtmlFormElement>("form[method=post]")!;
        return await browser.SubmitAsync(form, new Dictionary<string, string>
        {
            ["OldPassword"] = oldPassword,
            ["NewPassword"] = newPassword,
            ["ConfirmPassword"] = newPassword,
        });
    }

    private static async Task<Microsoft.IdentityModel.JsonWebTokens.JsonWebToken> IdTokenAsync(TestBrowser browser)
    {
        var client = new OidcClient(browser);
        var tokens = await client.ExchangeAsync(client.Code(await client.AuthorizeAsync()));
        return await client.ValidateIdTokenAsync(tokens.IdToken!);
    }

    private static async Task<string?> StatusAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return TestBrowser.Parse(await response.Content.ReadAsStringAsync()).QuerySelector("[role=status]")?.TextContent.Trim();
    }
}

/// <summary>AccountManagementTests on SQLite.</summary>
public sealed class AccountManagementTestsOnSqlite(SqliteIdpFactory factory) : AccountManagementTests(factory), IClassFixture<SqliteIdpFactory>;

/// <summary>AccountManagementTests on PostgreSQL.</summary>
public sealed class AccountManagementTestsOnPostgreSql(PostgreSqlIdpFactory factory) : AccountManagementTests(factory), IClassFixture<PostgreSqlIdpFactory>;
