using System.Net;
using System.Text.Json;
using IdentityServer.MultiSession.Sessions;
using IdentityServer.MultiSession.Storage;
using IdentityServer.MultiSession.Tests.Infrastructure;
using IdpHost.Data;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>
/// <c>MultiSession:RememberSignedOutAccounts</c>: accounts the user signs out of stay in this browser's picker as "Signed out"
/// (name, email, time only), one click from the login form; "Remove" and "Sign out of all accounts" forget them, signing in
/// again clears them, they expire, and no other browser sees them. Off, nothing is remembered.
/// </summary>
public abstract class RememberedAccountsTests
{
    private readonly IdpFactory remembering;
    private readonly IdpFactory plain;

    protected RememberedAccountsTests(IdpFactory remembering, IdpFactory plain)
    {
        this.remembering = remembering;
        this.plain = plain;
        remembering.RequireDatabase();
    }

    private FakeTimeProvider Clock => remembering.Time!;

    /// <summary>The signed-out rows of the picker: (accessible name of the row's link, its href, the "Remove" form).</summary>
    private static List<(string Name, string Href, IHtmlFormElement Remove)> SignedOutRows(IHtmlDocument picker) =>
        picker.QuerySelectorAll("ul.ms-accounts-signed-out li").Select(li => (
            li.QuerySelector("a.ms-person")!.GetAttribute("aria-label")!,
            System.Net.WebUtility.HtmlDecode(li.QuerySelector("a.ms-person")!.GetAttribute("href")!),
            li.QuerySelector<IHtmlFormElement>("form[action*='handler=Forget']")!)).ToList();

    private static async Task<JsonElement> ListWithSignedOutAsync(TestBrowser browser)
    {
        using var response = await browser.GetAsync("/multi-session/list-device-sessions?include=signedOut");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    private static async Task SignOutInPickerAsync(TestBrowser browser, string email)
    {
        var picker = await PickerPage.OpenAsync(browser);
        using var response = await picker.SignOutAsync(email);
        Assert.True(TestBrowser.IsRedirect(response), $"Sign-out of {email} answered {(int)response.StatusCode}");
    }

    private Task<List<RememberedAccountEntity>> StoredAsync(IdpFactory factory, IEnumerable<string> ids)
    {
        var wanted = ids.ToList();
        return factory.WithDatabaseAsync(db => db.Set<RememberedAccountEntity>().AsNoTracking().Where(r => wanted.Contains(r.Id)).ToListAsync());
    }

    private static IEnumerable<string> Ids(JsonElement list) =>
        list.GetProperty("signedOutAccounts").EnumerateArray().Select(e => e.GetProperty("id").GetString()!);

    [SkippableFact]
    public async Task With_the_option_off_a_signed_out_account_is_not_remembered_and_the_last_sign_out_forgets_the_browser()
    {
        var browser = plain.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        await SignOutInPickerAsync(browser, "bob@example.com");

        var picker = await browser.GetPageAsync("/MultiSession/Accounts");
        Assert.Empty(picker.QuerySelectorAll("ul.ms-accounts-signed-out"));
        var list = await ListWithSignedOutAsync(browser);
        Assert.Single(list.GetProperty("sessions").EnumerateArray());
        Assert.False(list.TryGetProperty("signedOutAccounts", out _));
        Assert.Equal(0, await plain.WithDatabaseAsync(db => db.Set<RememberedAccountEntity>().CountAsync()));

        // As before the option existed: the last sign-out removes the device and its cookie.
        await SignOutInPickerAsync(browser, "alice@example.com");
        Assert.Null(browser.DeviceCookie);
    }

    [SkippableFact]
    public async Task An_account_signed_out_in_the_picker_stays_listed_as_signed_out_with_only_its_name_email_and_time()
    {
        var browser = remembering.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        var signedOutAt = Clock.GetUtcNow();
        await SignOutInPickerAsync(browser, "bob@example.com");

        var picker = await browser.GetPageAsync("/MultiSession/Accounts");
        Assert.Equal(["Continue as Alice Anderson (alice@example.com)"], (await PickerPage.OpenAsync(browser)).Accounts);
        var row = Assert.Single(SignedOutRows(picker));
        Assert.Equal("Sign in again as Bob Brown (bob@example.com)", row.Name);
        var item = picker.QuerySelector("ul.ms-accounts-signed-out li")!;
        Assert.Equal("Signed out", item.QuerySelector(".ms-badge")!.TextContent.Trim());
        Assert.Equal("Remove Bob Brown", row.Remove.QuerySelector("button")!.TextContent.Trim());
        Assert.Null(item.QuerySelector("input[name='sessionToken']"));

        // Stored: a name, an email and the time, nothing else (no user id, session, principal, client or secret).
        var stored = Assert.Single(await StoredAsync(remembering, Ids(await ListWithSignedOutAsync(browser))));
        Assert.Equal(("Bob Brown", "bob@example.com", signedOutAt.ToUnixTimeMilliseconds()), (stored.DisplayName, stored.LoginName, stored.SignedOutAt.ToUnixTimeMilliseconds()));
        var columns = await remembering.WithDatabaseAsync(db => Task.FromResult(
            db.Model.FindEntityType(typeof(RememberedAccountEntity))!.GetProperties().Select(p => p.Name).Order().ToList()));
        Assert.Equal(["DeviceId", "DisplayName", "Id", "LoginName", "SignedOutAt"], columns);
    }

    [SkippableFact]
    public async Task Signing_out_of_the_last_account_leaves_the_browser_signed_out_with_that_account_listed()
    {
        var browser = remembering.CreateBrowser();
        await browser.SignInOkAsync("carol");
        await SignOutInPickerAsync(browser, "carol@example.com");

        Assert.NotNull(browser.DeviceCookie);
        var picker = await browser.GetPageAsync("/MultiSession/Accounts");
        Assert.Equal("No account is signed in on this browser.", picker.QuerySelector(".ms-note")!.TextContent.Trim());
        Assert.Equal("Sign in again as Carol Clark (carol@example.com)", Assert.Single(SignedOutRows(picker)).Name);
        using var profile = await browser.GetAsync("/Account/Profile");
        PickerPage.AssertRedirectTo(profile, "/Account/Login");
    }

    [SkippableFact]
    public async Task One_click_on_a_signed_out_account_opens_the_login_form_filled_in_and_completes_the_authorization_with_it()
    {
        var browser = remembering.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        await SignOutInPickerAsync(browser, "bob@example.com");

        // (The host's clock is fake: the account signing in for this request must do so after alice's sign-in.)
        Clock.Advance(TimeSpan.FromMinutes(1));
        var client = new OidcClient(browser);
        using var toPicker = await browser.GetAsync(client.AuthorizeUrl(new Dictionary<string, string?> { ["prompt"] = "select_account" }));
        PickerPage.AssertRedirectTo(toPicker, "/MultiSession/Accounts");
        var picker = await browser.GetPageAsync(toPicker.Headers.Location!.ToString());
        var href = Assert.Single(SignedOutRows(picker)).Href;
        Assert.StartsWith("/Account/Login?", href, StringComparison.Ordinal);

        var login = await browser.GetPageAsync(href);
        Assert.Equal("bob@example.com", login.QuerySelector<IHtmlInputElement>("#username")!.Value);
        var returnUrl = login.QuerySelector<IHtmlInputElement>("input[name='ReturnUrl']")!.Value;
        Assert.StartsWith("/connect/authorize?", returnUrl, StringComparison.Ordinal);
        Assert.Equal(IdpFactory.ClientId, QueryHelpers.ParseQuery(new Uri(new Uri("http://localhost"), returnUrl).Query)["client_id"].ToString());

        var form = login.QuerySelectorAll<IHtmlFormElement>("form").Single(f => f.QuerySelector("input[name='Input.Password']") is not null);
        using var signedIn = await browser.SubmitAsync(form, new Dictionary<string, string> { ["Input.Password"] = DemoUsers.Password });
        var tokens = await client.ExchangeAsync(client.Code(await browser.FollowAsync(signedIn)));
        var bob = (await browser.SessionOfAsync("bob@example.com")).GetProperty("user").GetProperty("id").GetString();
        Assert.Equal(bob, OidcClient.Read(tokens.IdToken!).Subject);
    }

    [SkippableFact]
    public async Task Signing_an_account_in_again_removes_its_signed_out_entry()
    {
        var browser = remembering.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        await SignOutInPickerAsync(browser, "bob@example.com");
        var ids = Ids(await ListWithSignedOutAsync(browser)).ToList();
        Assert.Single(ids);

        await browser.SignInOkAsync("bob");
        Assert.Empty((await ListWithSignedOutAsync(browser)).GetProperty("signedOutAccounts").EnumerateArray());
        Assert.Empty(await StoredAsync(remembering, ids));
        Assert.Empty(SignedOutRows(await browser.GetPageAsync("/MultiSession/Accounts")));
    }

    [SkippableFact]
    public async Task Remove_forgets_one_signed_out_account_and_keeps_the_others()
    {
        var browser = remembering.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob", "carol");
        await SignOutInPickerAsync(browser, "bob@example.com");
        Clock.Advance(TimeSpan.FromMinutes(1));
        await SignOutInPickerAsync(browser, "carol@example.com");

        // Most recently signed out first.
        var picker = await browser.GetPageAsync("/MultiSession/Accounts");
        Assert.Equal(["Sign in again as Carol Clark (carol@example.com)", "Sign in again as Bob Brown (bob@example.com)"], SignedOutRows(picker).Select(r => r.Name));

        using var removed = await browser.SubmitAsync(SignedOutRows(picker).Single(r => r.Name.Contains("bob@", StringComparison.Ordinal)).Remove);
        PickerPage.AssertRedirectTo(removed, "/MultiSession/Accounts");
        var after = await browser.GetPageAsync(removed.Headers.Location!.ToString());
        Assert.Equal("Bob Brown was removed from this list.", after.QuerySelector("[role=status]")!.TextContent.Trim());
        Assert.Equal(["Sign in again as Carol Clark (carol@example.com)"], SignedOutRows(after).Select(r => r.Name));
        Assert.Equal(["alice@example.com"], (await browser.ListAsync()).Select(e => e.GetProperty("user").GetProperty("email").GetString()));

        // Removing it again names nothing: a readable message, nothing else changes.
        using var again = await browser.SubmitAsync(SignedOutRows(picker).Single(r => r.Name.Contains("bob@", StringComparison.Ordinal)).Remove);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        var page = TestBrowser.Parse(await again.Content.ReadAsStringAsync());
        Assert.Equal("That account is no longer listed on this browser.", page.QuerySelector(".ms-alert")!.TextContent.Trim());
        Assert.Single(SignedOutRows(page));
    }

    [SkippableFact]
    public async Task Sign_out_of_all_accounts_forgets_every_signed_out_account()
    {
        var browser = remembering.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob", "carol");
        await SignOutInPickerAsync(browser, "bob@example.com");
        await SignOutInPickerAsync(browser, "carol@example.com");
        var ids = Ids(await ListWithSignedOutAsync(browser)).ToList();
        Assert.Equal(2, ids.Count);

        var picker = await PickerPage.OpenAsync(browser);
        using var all = await browser.SubmitAsync(picker.SignOutAllForm);
        Assert.True(TestBrowser.IsRedirect(all));
        Assert.Empty(await StoredAsync(remembering, ids));
        var after = await browser.GetPageAsync("/MultiSession/Accounts");
        Assert.Empty(SignedOutRows(after));
        Assert.Empty(after.QuerySelectorAll("form[action*='handler=SignOutAll']"));
    }

    [SkippableFact]
    public async Task Sign_out_of_all_accounts_is_offered_and_forgets_them_when_only_signed_out_accounts_are_left()
    {
        var browser = remembering.CreateBrowser();
        await browser.SignInOkAsync("dave");
        await SignOutInPickerAsync(browser, "dave@example.com");
        var ids = Ids(await ListWithSignedOutAsync(browser)).ToList();

        var picker = await PickerPage.OpenAsync(browser);
        using var all = await browser.SubmitAsync(picker.SignOutAllForm);
        Assert.True(TestBrowser.IsRedirect(all));
        Assert.Empty(await StoredAsync(remembering, ids));
        Assert.Null(browser.DeviceCookie);
    }

    [SkippableFact]
    public async Task A_signed_out_account_is_forgotten_once_the_remembered_lifetime_has_passed()
    {
        var browser = remembering.CreateBrowser();
        await browser.SignInOkAsync("erin");
        await SignOutInPickerAsync(browser, "erin@example.com");
        var ids = Ids(await ListWithSignedOutAsync(browser)).ToList();

        Clock.Advance(TimeSpan.FromDays(29));
        Assert.Single(SignedOutRows(await browser.GetPageAsync("/MultiSession/Accounts")));

        Clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromSeconds(1));
        Assert.Empty(SignedOutRows(await browser.GetPageAsync("/MultiSession/Accounts")));
        Assert.Empty((await ListWithSignedOutAsync(browser)).GetProperty("signedOutAccounts").EnumerateArray());

        // The cleanup removes the entry, and the device that held nothing else with it.
        await remembering.Services.GetRequiredService<ExpiredSessionCleanupService>().RunOnceAsync();
        Assert.Empty(await StoredAsync(remembering, ids));
        var secretHash = DeviceSecret.TryHash(browser.DeviceCookie)!;
        Assert.False(await remembering.WithDatabaseAsync(db => db.Set<DeviceEntity>().AnyAsync(d => d.SecretHash == secretHash)));
    }

    [SkippableFact]
    public async Task Another_browser_never_sees_nor_removes_the_signed_out_accounts_of_this_one()
    {
        var browser = remembering.CreateBrowser();
        await browser.SignInOkAsync("alice", "frank");
        await SignOutInPickerAsync(browser, "frank@example.com");
        var id = Assert.Single(Ids(await ListWithSignedOutAsync(browser)));
        var mine = await browser.GetPageAsync("/MultiSession/Accounts");

        var other = remembering.CreateBrowser();
        await other.SignInOkAsync("bob");
        Assert.Empty(SignedOutRows(await other.GetPageAsync("/MultiSession/Accounts")));
        Assert.Empty((await ListWithSignedOutAsync(other)).GetProperty("signedOutAccounts").EnumerateArray());

        // Neither the picker's form (posted with the other browser's own antiforgery token) nor the API removes it.
        Assert.Equal(id, Assert.Single(SignedOutRows(mine)).Remove.QuerySelector<IHtmlInputElement>("input[name='accountId']")!.Value);
        var token = (await other.GetPageAsync("/MultiSession/Accounts")).QuerySelector<IHtmlInputElement>("input[name='__RequestVerificationToken']")!.Value;
        using var form = await other.Client.PostAsync("/MultiSession/Accounts?handler=Forget", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["accountId"] = id,
            ["__RequestVerificationToken"] = token,
        }));
        Assert.Equal(HttpStatusCode.NotFound, form.StatusCode);
        using var api = await other.Client.DeleteAsync($"/multi-session/signed-out-accounts/{id}");
        Assert.Equal(HttpStatusCode.NotFound, api.StatusCode);
        Assert.Single(SignedOutRows(await browser.GetPageAsync("/MultiSession/Accounts")));
    }

    [SkippableFact]
    public async Task The_JSON_API_lists_signed_out_accounts_only_when_asked_and_forgets_one_with_DELETE()
    {
        var browser = remembering.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        var bob = (await browser.SessionOfAsync("bob@example.com")).GetProperty("sessionToken").GetString();
        using (var revoke = await browser.PostJsonAsync("/multi-session/revoke", $"{{\"sessionToken\":\"{bob}\"}}"))
        {
            Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        }

        // Without include, the list is the array it always was.
        Assert.Equal("alice@example.com", Assert.Single(await browser.ListAsync()).GetProperty("user").GetProperty("email").GetString());

        var list = await ListWithSignedOutAsync(browser);
        Assert.Equal("alice@example.com", Assert.Single(list.GetProperty("sessions").EnumerateArray()).GetProperty("user").GetProperty("email").GetString());
        var entry = Assert.Single(list.GetProperty("signedOutAccounts").EnumerateArray());
        Assert.Equal(["expiresAt", "id", "loginName", "name", "signedOutAt"], entry.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(("Bob Brown", "bob@example.com"), (entry.GetProperty("name").GetString(), entry.GetProperty("loginName").GetString()));
        Assert.Equal(TimeSpan.FromDays(30), entry.GetProperty("expiresAt").GetDateTimeOffset() - entry.GetProperty("signedOutAt").GetDateTimeOffset());
        var id = entry.GetProperty("id").GetString()!;

        using (var bad = await browser.GetAsync("/multi-session/list-device-sessions?include=everything"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Equal("application/problem+json", bad.Content.Headers.ContentType!.MediaType);
        }

        using (var crossSite = new HttpRequestMessage(HttpMethod.Delete, $"/multi-session/signed-out-accounts/{id}"))
        {
            crossSite.Headers.Add("Origin", "https://evil.example");
            using var refused = await browser.Client.SendAsync(crossSite);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        using (var malformed = await browser.Client.DeleteAsync("/multi-session/signed-out-accounts/not%20an%20id"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
            Assert.Equal("application/problem+json", malformed.Content.Headers.ContentType!.MediaType);
        }

        using (var wrongMethod = await browser.PostJsonAsync($"/multi-session/signed-out-accounts/{id}", "{}"))
        {
            Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod.StatusCode);
        }

        Assert.Single((await ListWithSignedOutAsync(browser)).GetProperty("signedOutAccounts").EnumerateArray());
        using (var forgotten = await browser.Client.DeleteAsync($"/multi-session/signed-out-accounts/{id}"))
        {
            Assert.Equal(HttpStatusCode.OK, forgotten.StatusCode);
        }

        Assert.Empty((await ListWithSignedOutAsync(browser)).GetProperty("signedOutAccounts").EnumerateArray());
        using var twice = await browser.Client.DeleteAsync($"/multi-session/signed-out-accounts/{id}");
        Assert.Equal(HttpStatusCode.NotFound, twice.StatusCode);
        Assert.Equal("application/problem+json", twice.Content.Headers.ContentType!.MediaType);
    }

    [SkippableFact]
    public async Task An_RP_initiated_logout_of_one_account_remembers_it()
    {
        var browser = remembering.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        var client = new OidcClient(browser);
        var idToken = (await client.ExchangeAsync(client.Code(await client.AuthorizeAsync(new Dictionary<string, string?> { ["login_hint"] = "alice" })))).IdToken!;

        var url = QueryHelpers.AddQueryString("/connect/endsession", new Dictionary<string, string?>
        {
            ["id_token_hint"] = idToken,
            ["post_logout_redirect_uri"] = IdpFactory.PostLogoutRedirectUri,
        });
        var page = await browser.GetPageAsync(url);
        var form = page.QuerySelector<IHtmlFormElement>("form")!;
        using var confirmed = await browser.SubmitAsync(form, submitter: form.QuerySelectorAll<IHtmlButtonElement>("button").Single(b => b.Value == "account"));
        Assert.True(TestBrowser.IsRedirect(confirmed));

        var picker = await browser.GetPageAsync("/MultiSession/Accounts");
        Assert.Equal(["Sign in again as Alice Anderson (alice@example.com)"], SignedOutRows(picker).Select(r => r.Name));
    }

    [SkippableTheory]
    [InlineData("de", "Abgemeldet", "Erneut anmelden als Bob Brown (bob@example.com)", "Bob Brown entfernen")]
    [InlineData("fr", "Déconnecté", "Se reconnecter en tant que Bob Brown (bob@example.com)", "Retirer Bob Brown")]
    public async Task The_signed_out_rows_speak_the_browsers_language(string language, string badge, string link, string remove)
    {
        var browser = remembering.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        await SignOutInPickerAsync(browser, "bob@example.com");

        using var request = new HttpRequestMessage(HttpMethod.Get, "/MultiSession/Accounts");
        request.Headers.AcceptLanguage.ParseAdd(language);
        using var response = await browser.Client.SendAsync(request);
        var page = TestBrowser.Parse(await response.Content.ReadAsStringAsync());
        var row = Assert.Single(SignedOutRows(page));
        Assert.Equal(link, row.Name);
        Assert.Equal(remove, row.Remove.QuerySelector("button")!.TextContent.Trim());
        Assert.Equal(badge, page.QuerySelector("ul.ms-accounts-signed-out .ms-badge")!.TextContent.Trim());
    }

    [SkippableFact]
    public async Task Sessions_ended_by_an_administrator_are_not_remembered()
    {
        var browser = remembering.CreateBrowser();
        await browser.SignInOkAsync("alice", "dave");
        var dave = (await browser.SessionOfAsync("dave@example.com")).GetProperty("user").GetProperty("id").GetString()!;

        await using (var scope = remembering.Services.CreateAsyncScope())
        {
            Assert.True(await scope.ServiceProvider.GetRequiredService<IDeviceSessionService>().RevokeUserSessionsAsync(dave) > 0);
        }

        Assert.Single(await browser.ListAsync());
        Assert.Empty(SignedOutRows(await browser.GetPageAsync("/MultiSession/Accounts")));
    }
}

/// <summary>The host with signed-out accounts remembered, a fake clock and RP-initiated logout of one account, on SQLite.</summary>
public sealed class RememberingSqliteIdpFactory : IdpFactory
{
    public RememberingSqliteIdpFactory()
    {
        Time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        Settings["MultiSession:RememberSignedOutAccounts"] = "true";
        Settings["MultiSession:EndSessionScope"] = "HintedAccount";
    }
}

/// <summary>The same on PostgreSQL.</summary>
public sealed class RememberingPostgreSqlIdpFactory : IdpFactory
{
    public RememberingPostgreSqlIdpFactory()
    {
        Provider = "PostgreSQL";
        Time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        Settings["MultiSession:RememberSignedOutAccounts"] = "true";
        Settings["MultiSession:EndSessionScope"] = "HintedAccount";
    }
}

/// <summary>RememberedAccountsTests on SQLite.</summary>
public sealed class RememberedAccountsTestsOnSqlite(RememberingSqliteIdpFactory remembering, SqliteIdpFactory plain)
    : RememberedAccountsTests(remembering, plain), IClassFixture<RememberingSqliteIdpFactory>, IClassFixture<SqliteIdpFactory>;

/// <summary>RememberedAccountsTests on PostgreSQL.</summary>
public sealed class RememberedAccountsTestsOnPostgreSql(RememberingPostgreSqlIdpFactory remembering, PostgreSqlIdpFactory plain)
    : RememberedAccountsTests(remembering, plain), IClassFixture<RememberingPostgreSqlIdpFactory>, IClassFixture<PostgreSqlIdpFactory>;
