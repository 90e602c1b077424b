using System.Net;
using System.Text;
using System.Text.Json;
using AngleSharp.Html.Dom;
using IdentityServer.MultiSession.Tests.Infrastructure;
using IdpHost.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>
/// Passkeys (ASP.NET Core Identity's WebAuthn support) with several accounts in one browser, driven through the sample's pages
/// with a software authenticator: Manage → Passkeys stores, renames and removes an account's passkeys, for the account the
/// form was rendered for only; "Sign in with a passkey" adds exactly one session like a password does, keeps the others, is
/// refused at the limit with nothing written, records <c>hwk</c>/<c>swk</c> and <c>mfa</c> rather than <c>pwd</c>, keeps the
/// <c>sid</c> when the account re-authenticates, and keeps two tabs' pending ceremonies apart.
/// </summary>
public abstract class PasskeyTests
{
    private const string LimitMessage = "This browser already has 5 accounts signed in. Sign out of one to add another.";
    private const string PasskeyFailure = "The passkey sign-in did not succeed. Try again, or sign in with your password.";
    private readonly IdpFactory factory;

    protected PasskeyTests(IdpFactory factory)
    {
        this.factory = factory;
        factory.RequireDatabase();
    }

    [SkippableFact]
    public async Task The_database_has_identitys_passkey_table_and_the_store_keeps_passkeys_per_user()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ApplicationDbContext>();
        Assert.NotNull(db.Model.FindEntityType(typeof(IdentityUserPasskey<string>)));
        Assert.Contains("IdentityPasskeys", (await db.Database.GetAppliedMigrationsAsync()).Select(m => m[(m.IndexOf('_', StringComparison.Ordinal) + 1)..]));

        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        Assert.True(users.SupportsUserPasskey);
        var account = await TwoFactorAccounts.CreateAsync(factory, twoFactor: false);
        var other = await TwoFactorAccounts.CreateAsync(factory, twoFactor: false);
        var user = (await users.FindByIdAsync(account.Id))!;
        var passkey = new UserPasskeyInfo([1, 2, 3, 4], [5, 6], DateTimeOffset.UtcNow, 0, ["internal"], true, false, false, [7], [8]) { Name = "Laptop" };
        Assert.True((await users.AddOrUpdatePasskeyAsync(user, passkey)).Succeeded);

        Assert.Equal("Laptop", Assert.Single(await users.GetPasskeysAsync(user)).Name);
        Assert.Empty(await users.GetPasskeysAsync((await users.FindByIdAsync(other.Id))!));
        Assert.Equal(account.Id, (await users.FindByPasskeyIdAsync([1, 2, 3, 4]))?.Id);
        Assert.True((await users.RemovePasskeyAsync(user, [1, 2, 3, 4])).Succeeded);
        Assert.Empty(await users.GetPasskeysAsync(user));
    }

    [SkippableFact]
    public async Task The_sign_in_options_name_this_host_and_require_user_verification_and_each_click_gets_its_own_challenge()
    {
        var browser = factory.CreateBrowser();
        var first = await browser.StartPasskeySignInAsync();
        var second = await browser.StartPasskeySignInAsync();

        Assert.Equal("localhost", first.Options["rpId"]!.GetValue<string>());
        Assert.Equal("required", first.Options["userVerification"]!.GetValue<string>());
        Assert.True(WebEncoders.Base64UrlDecode(first.Options["challenge"]!.GetValue<string>()).Length >= 16);
        Assert.NotEqual(first.Options["challenge"]!.GetValue<string>(), second.Options["challenge"]!.GetValue<string>());
        Assert.NotEqual(first.Fields["PasskeyAttempt"], second.Fields["PasskeyAttempt"]);
        Assert.Empty(await browser.ListAsync());
    }

    [SkippableFact]
    public async Task A_passkey_added_on_the_manage_page_is_stored_for_that_account_and_listed_there()
    {
        var browser = factory.CreateBrowser();
        var account = await TwoFactorAccounts.CreateAsync(factory, twoFactor: false);
        await browser.SignInOkAsync(account.UserName);
        var sid = (await browser.SessionOfAsync(account.Email)).GetProperty("sessionId").GetString();
        using var authenticator = new SoftwareAuthenticator();

        using var response = await browser.AddPasskeyAsync(authenticator, "Laptop");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = TestBrowser.Parse(await response.Content.ReadAsStringAsync(), PasskeyPages.ManageUrl);
        Assert.Equal("The passkey Laptop was added.", page.QuerySelector("[role=status]")!.TextContent.Trim());
        Assert.Equal(["Laptop"], page.QuerySelectorAll(".passkey-name").Select(e => e.TextContent.Trim()));

        var stored = Assert.Single(await factory.WithUsersAsync(async users => await users.GetPasskeysAsync((await users.FindByIdAsync(account.Id))!)));
        Assert.Equal(authenticator.CredentialId, stored.CredentialId);
        Assert.Equal("Laptop", stored.Name);

        // The page refreshed the sign-in in place: the same session, still the only one.
        Assert.Equal(sid, Assert.Single(await browser.ListAsync()).GetProperty("sessionId").GetString());
    }

    [SkippableFact]
    public async Task Signing_in_with_a_passkey_adds_exactly_one_session_keeps_the_others_and_makes_it_active()
    {
        var (account, authenticator) = await AccountWithPasskeyAsync();
        var other = await TwoFactorAccounts.CreateAsync(factory, twoFactor: false);
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync(other.UserName);

        using var response = await browser.SignInWithPasskeyAsync(authenticator, "/Account/Profile");
        PickerPage.AssertRedirectTo(response, "/Account/Profile");
        Assert.Equal(2, (await browser.ListAsync()).Count);
        Assert.True((await browser.SessionOfAsync(account.Email)).GetProperty("active").GetBoolean());
        Assert.False((await browser.SessionOfAsync(other.Email)).GetProperty("active").GetBoolean());
        authenticator.Dispose();
    }

    [SkippableFact]
    public async Task A_passkey_sign_in_gives_amr_hwk_mfa_for_a_device_bound_key_and_never_pwd()
    {
        var (_, authenticator) = await AccountWithPasskeyAsync();
        var browser = factory.CreateBrowser();
        (await browser.SignInWithPasskeyAsync(authenticator)).Dispose();

        var tokens = await TokensAsync(browser);
        Assert.Equal(["hwk", "mfa"], Amr(tokens.IdToken!));
        Assert.Equal(["hwk", "mfa"], Amr(tokens.AccessToken!));
        authenticator.Dispose();
    }

    [SkippableFact]
    public async Task A_synced_passkey_gives_amr_swk_mfa()
    {
        var (_, authenticator) = await AccountWithPasskeyAsync(backupEligible: true);
        var browser = factory.CreateBrowser();
        (await browser.SignInWithPasskeyAsync(authenticator)).Dispose();

        Assert.Equal(["swk", "mfa"], Amr((await TokensAsync(browser)).IdToken!));
        authenticator.Dispose();
    }

    [SkippableFact]
    public async Task Re_authenticating_with_a_passkey_keeps_the_sid_and_replaces_the_methods()
    {
        var (account, authenticator) = await AccountWithPasskeyAsync();
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync(account.UserName);
        var sid = (await browser.SessionOfAsync(account.Email)).GetProperty("sessionId").GetString();
        Assert.Equal(["pwd"], Amr((await TokensAsync(browser)).IdToken!));

        (await browser.SignInWithPasskeyAsync(authenticator)).Dispose();
        Assert.Equal(sid, Assert.Single(await browser.ListAsync()).GetProperty("sessionId").GetString());
        var idToken = (await TokensAsync(browser)).IdToken!;
        Assert.Equal(["hwk", "mfa"], Amr(idToken));
        Assert.Equal(sid, Claim(idToken, "sid"));
        authenticator.Dispose();
    }

    [SkippableFact]
    public async Task A_full_browser_refuses_a_passkey_sign_in_with_the_limit_message_and_writes_nothing()
    {
        var (account, authenticator) = await AccountWithPasskeyAsync();
        var browser = factory.CreateBrowser();
        for (var i = 0; i < 5; i++)
        {
            await browser.SignInOkAsync((await TwoFactorAccounts.CreateAsync(factory, twoFactor: false)).UserName);
        }

        var before = await browser.ListAsync();
        using var response = await browser.SignInWithPasskeyAsync(authenticator);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = TestBrowser.Parse(await response.Content.ReadAsStringAsync(), "/Account/Login");
        Assert.Equal(LimitMessage, page.QuerySelector(".ms-limit [role=alert]")!.TextContent.Trim());

        var after = await browser.ListAsync();
        Assert.Equal(before.Select(s => s.GetProperty("sessionId").GetString()), after.Select(s => s.GetProperty("sessionId").GetString()));
        Assert.DoesNotContain(after, s => s.GetProperty("user").GetProperty("email").GetString() == account.Email);

        // The passkey's signature counter was not advanced either: nothing of the sign-in was written.
        var stored = Assert.Single(await factory.WithUsersAsync(async users => await users.GetPasskeysAsync((await users.FindByIdAsync(account.Id))!)));
        Assert.Equal(0u, stored.SignCount);
        authenticator.Dispose();
    }

    [SkippableFact]
    public async Task Passkey_sign_ins_pending_in_two_tabs_for_different_accounts_do_not_overwrite_each_other()
    {
        var (first, firstKey) = await AccountWithPasskeyAsync();
        var (second, secondKey) = await AccountWithPasskeyAsync();
        var browser = factory.CreateBrowser();

        // Tab 1 and tab 2 each click "Sign in with a passkey"; tab 2's ceremony starts before tab 1's finishes.
        var tab1 = await browser.StartPasskeySignInAsync("/Account/Profile");
        var tab2 = await browser.StartPasskeySignInAsync("/");

        using var one = await browser.FinishPasskeySignInAsync(tab1, firstKey);
        PickerPage.AssertRedirectTo(one, "/Account/Profile");
        using var two = await browser.FinishPasskeySignInAsync(tab2, secondKey);
        PickerPage.AssertRedirectTo(two, "/");

        var emails = (await browser.ListAsync()).Select(s => s.GetProperty("user").GetProperty("email").GetString()).ToList();
        Assert.Equal(2, emails.Count);
        Assert.Contains(first.Email, emails);
        Assert.Contains(second.Email, emails);
        firstKey.Dispose();
        secondKey.Dispose();
    }

    [SkippableFact]
    public async Task An_answer_to_no_pending_ceremony_a_replayed_one_or_a_forged_one_signs_nobody_in()
    {
        var (_, authenticator) = await AccountWithPasskeyAsync();
        var browser = factory.CreateBrowser();

        // Another browser's ceremony, answered here: its attempt id names nothing in this browser.
        var elsewhere = await factory.CreateBrowser().StartPasskeySignInAsync();
        var own = await browser.StartPasskeySignInAsync();
        var foreign = own with { Fields = new(own.Fields) { ["PasskeyAttempt"] = elsewhere.Fields["PasskeyAttempt"] }, Options = elsewhere.Options };
        await AssertFailsAsync(await browser.FinishPasskeySignInAsync(foreign, authenticator));

        // A forged answer to this browser's own ceremony.
        var pending = await browser.StartPasskeySignInAsync();
        await AssertFailsAsync(await browser.FinishPasskeySignInAsync(pending, "{\"id\":\"AAAA\",\"type\":\"public-key\"}"));

        // A good answer to a ceremony already used: the ceremony is gone.
        await AssertFailsAsync(await browser.FinishPasskeySignInAsync(pending, authenticator));
        Assert.Empty(await browser.ListAsync());

        async Task AssertFailsAsync(HttpResponseMessage response)
        {
            using (response)
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                var page = TestBrowser.Parse(await response.Content.ReadAsStringAsync(), "/Account/Login");
                Assert.Equal(PasskeyFailure, page.QuerySelector(".ms-error[role=alert]:not([hidden])")!.TextContent.Trim());
            }
        }

        authenticator.Dispose();
    }

    [SkippableFact]
    public async Task An_answer_made_for_another_sites_page_is_refused_at_registration_and_at_sign_in()
    {
        var (_, authenticator) = await AccountWithPasskeyAsync();
        authenticator.Origin = "https://phishing.example";
        var browser = factory.CreateBrowser();
        using var signIn = await browser.SignInWithPasskeyAsync(authenticator);
        var page = TestBrowser.Parse(await signIn.Content.ReadAsStringAsync(), "/Account/Login");
        Assert.Equal(PasskeyFailure, page.QuerySelector(".ms-error[role=alert]:not([hidden])")!.TextContent.Trim());
        Assert.Empty(await browser.ListAsync());

        var account = await TwoFactorAccounts.CreateAsync(factory, twoFactor: false);
        await browser.SignInOkAsync(account.UserName);
        using var phished = new SoftwareAuthenticator { Origin = "https://phishing.example" };
        using var added = await browser.AddPasskeyAsync(phished);
        Assert.Contains("The passkey was not added. Try again.", await added.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(await factory.WithUsersAsync(async users => await users.GetPasskeysAsync((await users.FindByIdAsync(account.Id))!)));
        authenticator.Dispose();
    }

    [SkippableFact]
    public async Task A_passkey_form_rendered_for_one_account_changes_nothing_after_another_tab_switched_accounts()
    {
        var (first, firstKey) = await AccountWithPasskeyAsync();
        var second = await TwoFactorAccounts.CreateAsync(factory, twoFactor: false);
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync(first.UserName);
        var page = await browser.GetPageAsync(PasskeyPages.ManageUrl);
        var addForm = page.QuerySelector<IHtmlFormElement>("#passkey-add-form")!;
        var removeForm = page.QuerySelectorAll<IHtmlFormElement>("form").Single(f => f.GetAttribute("action")!.Contains("handler=Remove", StringComparison.Ordinal));

        // Another tab signs the second account in: it is now the active one.
        await browser.SignInOkAsync(second.UserName);

        using var newKey = new SoftwareAuthenticator();
        using var added = await browser.AddPasskeyWithFormAsync(addForm, newKey);
        AssertRefused(await added.Content.ReadAsStringAsync());
        using var removed = await browser.SubmitAsync(removeForm);
        AssertRefused(await removed.Content.ReadAsStringAsync());

        Assert.Empty(await factory.WithUsersAsync(async users => await users.GetPasskeysAsync((await users.FindByIdAsync(second.Id))!)));
        Assert.Single(await factory.WithUsersAsync(async users => await users.GetPasskeysAsync((await users.FindByIdAsync(first.Id))!)));
        firstKey.Dispose();

        void AssertRefused(string html)
        {
            var alert = TestBrowser.Parse(html, PasskeyPages.ManageUrl).QuerySelector(".ms-alert[role=alert]")!.TextContent;
            Assert.Contains($"This form was opened for {first.Email}", alert, StringComparison.Ordinal);
        }
    }

    [SkippableFact]
    public async Task A_registration_ceremony_started_for_one_account_stores_no_passkey_for_another()
    {
        var first = await TwoFactorAccounts.CreateAsync(factory, twoFactor: false);
        var second = await TwoFactorAccounts.CreateAsync(factory, twoFactor: false);
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync(first.UserName);

        // The first account's ceremony is started; another tab then makes the second account active, and renders its own form,
        // into which the first ceremony's answer is posted.
        var firstForm = await browser.AddFormAsync();
        var fields = firstForm.QuerySelectorAll<IHtmlInputElement>("input[name]").ToDictionary(i => i.Name!, i => i.Value);
        using var options = await browser.PostFormAsync(firstForm.Dataset["options"]!, fields);
        var ceremony = System.Text.Json.Nodes.JsonNode.Parse(await options.Content.ReadAsStringAsync())!;
        await browser.SignInOkAsync(second.UserName);
        var secondForm = await browser.AddFormAsync();
        var secondFields = secondForm.QuerySelectorAll<IHtmlInputElement>("input[name]").ToDictionary(i => i.Name!, i => i.Value);
        using var authenticator = new SoftwareAuthenticator();
        secondFields["PasskeyAttempt"] = ceremony["attempt"]!.GetValue<string>();
        secondFields["PasskeyCredential"] = authenticator.Create(ceremony["options"]!);

        using var response = await browser.PostFormAsync(secondForm.GetAttribute("action")!, secondFields);
        var page = TestBrowser.Parse(await response.Content.ReadAsStringAsync(), PasskeyPages.ManageUrl);
        Assert.Equal("The passkey was not added. Try again.", page.QuerySelector(".ms-error[role=alert]:not([hidden])")!.TextContent.Trim());
        Assert.Empty(await factory.WithUsersAsync(async users => await users.GetPasskeysAsync((await users.FindByIdAsync(second.Id))!)));
        Assert.Empty(await factory.WithUsersAsync(async users => await users.GetPasskeysAsync((await users.FindByIdAsync(first.Id))!)));
    }

    [SkippableFact]
    public async Task Rename_and_remove_act_on_the_named_passkey_and_the_last_way_in_is_kept()
    {
        var browser = factory.CreateBrowser();
        var account = await TwoFactorAccounts.CreateAsync(factory, twoFactor: false);
        await browser.SignInOkAsync(account.UserName);
        using var one = new SoftwareAuthenticator();
        using var two = new SoftwareAuthenticator();
        (await browser.AddPasskeyAsync(one, "One")).Dispose();
        (await browser.AddPasskeyAsync(two)).Dispose();

        var page = await browser.GetPageAsync(PasskeyPages.ManageUrl);
        Assert.Equal(["One", "Passkey 2"], page.QuerySelectorAll(".passkey-name").Select(e => e.TextContent.Trim()));
        var rename = page.QuerySelectorAll<IHtmlFormElement>("form").Single(f =>
            f.GetAttribute("action")!.Contains("handler=Rename", StringComparison.Ordinal)
            && f.QuerySelector<IHtmlInputElement>("input[name=CredentialId]")!.Value == WebEncoders.Base64UrlEncode(two.CredentialId));
        using var renamed = await browser.SubmitAsync(rename, new Dictionary<string, string> { ["Name"] = "Security key" });
        var afterRename = TestBrowser.Parse(await renamed.Content.ReadAsStringAsync(), PasskeyPages.ManageUrl);
        Assert.Equal("The passkey was renamed to Security key.", afterRename.QuerySelector("[role=status]")!.TextContent.Trim());
        Assert.Equal(["One", "Security key"], afterRename.QuerySelectorAll(".passkey-name").Select(e => e.TextContent.Trim()));

        var remove = afterRename.QuerySelectorAll<IHtmlFormElement>("form").Single(f =>
            f.GetAttribute("action")!.Contains("handler=Remove", StringComparison.Ordinal)
            && f.QuerySelector<IHtmlInputElement>("input[name=CredentialId]")!.Value == WebEncoders.Base64UrlEncode(one.CredentialId));
        using var removed = await browser.SubmitAsync(remove);
        var afterRemove = TestBrowser.Parse(await removed.Content.ReadAsStringAsync(), PasskeyPages.ManageUrl);
        Assert.Equal("The passkey One was removed.", afterRemove.QuerySelector("[role=status]")!.TextContent.Trim());
        var left = Assert.Single(await factory.WithUsersAsync(async users => await users.GetPasskeysAsync((await users.FindByIdAsync(account.Id))!)));
        Assert.Equal(two.CredentialId, left.CredentialId);
        Assert.Single(await browser.ListAsync());
    }

    private async Task<(TestAccount Account, SoftwareAuthenticator Authenticator)> AccountWithPasskeyAsync(bool backupEligible = false)
    {
        var account = await TwoFactorAccounts.CreateAsync(factory, twoFactor: false);
        var setup = factory.CreateBrowser();
        await setup.SignInOkAsync(account.UserName);
        var authenticator = new SoftwareAuthenticator(backupEligible);
        using var added = await setup.AddPasskeyAsync(authenticator, "Test key");
        Assert.Contains("was added", await added.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        return (account, authenticator);
    }

    private static async Task<TokenResponse> TokensAsync(TestBrowser browser)
    {
        var client = new OidcClient(browser);
        var tokens = await client.ExchangeAsync(client.Code(await client.AuthorizeAsync()));
        Assert.True(tokens.Status == HttpStatusCode.OK, tokens.Body.ToString());
        return tokens;
    }

    private static List<string> Amr(string jwt)
    {
        using var document = Payload(jwt);
        Assert.True(document.RootElement.TryGetProperty("amr", out var amr), $"No amr in {document.RootElement}");
        return amr.EnumerateArray().Select(e => e.GetString()!).ToList();
    }

    private static string? Claim(string jwt, string name)
    {
        using var document = Payload(jwt);
        return document.RootElement.TryGetProperty(name, out var value) ? value.GetString() : null;
    }

    private static JsonDocument Payload(string jwt) => JsonDocument.Parse(Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(jwt.Split('.')[1])));
}

/// <summary>PasskeyTests on SQLite.</summary>
public sealed class PasskeyTestsOnSqlite(SqliteIdpFactory factory) : PasskeyTests(factory), IClassFixture<SqliteIdpFactory>;

/// <summary>PasskeyTests on PostgreSQL.</summary>
public sealed class PasskeyTestsOnPostgreSql(PostgreSqlIdpFactory factory) : PasskeyTests(factory), IClassFixture<PostgreSqlIdpFactory>;
