using System.Net;
using System.Text;
using System.Text.Json;
using IdentityServer.MultiSession.Tests.Infrastructure;
using IdpHost.Data;
using IdpHost.External;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>
/// Sign-in through an external OpenID Connect provider: a second real IdpHost on a loopback port, reached by the host's
/// OIDC handler over HTTP. The first sign-in creates a new account or links an existing one only after its password; an
/// account is never linked because the emails match; later sign-ins add the account to the browser like a password sign-in
/// (one session, the others kept, the limit told first, the second factor asked for) and its ID token says <c>amr</c> <c>fed</c>.
/// </summary>
public abstract class ExternalSignInTests
{
    private const string LimitMessage = "This browser already has 5 accounts signed in. Sign out of one to add another.";
    private readonly ExternalIdpFactory factory;

    protected ExternalSignInTests(ExternalIdpFactory factory)
    {
        this.factory = factory;
        factory.RequireDatabase();
    }

    [SkippableFact]
    public async Task The_login_page_offers_the_configured_provider_as_a_button_in_a_post_form_with_antiforgery()
    {
        var page = await factory.CreateBrowser().GetPageAsync("/Account/Login");

        var form = ProviderForm(page);
        Assert.Equal("post", form.Method);
        Assert.NotNull(form.QuerySelector("input[name=__RequestVerificationToken]"));
        Assert.Equal($"Sign in with {ExternalIdpFactory.ProviderDisplayName}", form.QuerySelector("button")!.TextContent.Trim());
    }

    [SkippableFact]
    public async Task A_first_external_sign_in_offers_a_new_account_and_creating_it_adds_it_beside_the_others()
    {
        var browser = factory.CreateBrowser();
        var local = await TwoFactorAccounts.CreateAsync(factory, twoFactor: false);
        await browser.SignInOkAsync(local.UserName);
        var external = await TwoFactorAccounts.CreateAsync(factory.Upstream, twoFactor: false, prefix: "up");

        using var callback = await ExternalSignInAsync(browser, external.UserName, "/Account/Profile");
        Assert.Equal(HttpStatusCode.OK, callback.StatusCode);
        var page = TestBrowser.Parse(await callback.Content.ReadAsStringAsync(), "/Account/ExternalLogin?handler=Callback");
        var create = page.QuerySelector<IHtmlFormElement>("form.ms-external-create")!;
        Assert.Equal(external.Email, create.QuerySelector<IHtmlInputElement>("input[name=Email]")!.Value);
        Assert.Single(await browser.ListAsync());

        var newEmail = $"ext{Guid.NewGuid():N}"[..16] + "@example.com";
        using var created = await browser.SubmitAsync(create, new Dictionary<string, string> { ["Email"] = newEmail });

        PickerPage.AssertRedirectTo(created, "/Account/Profile");
        var sessions = await browser.ListAsync();
        Assert.Equal(2, sessions.Count);
        Assert.True((await browser.SessionOfAsync(newEmail)).GetProperty("active").GetBoolean());
        Assert.False((await browser.SessionOfAsync(local.Email)).GetProperty("active").GetBoolean());
        var logins = await factory.WithUsersAsync(async users => await users.GetLoginsAsync((await users.FindByEmailAsync(newEmail))!));
        var login = Assert.Single(logins);
        Assert.Equal(ExternalProviderExtensions.Scheme, login.LoginProvider);
        Assert.Equal(external.Id, login.ProviderKey);
        Assert.False(await factory.WithUsersAsync(async users => await users.HasPasswordAsync((await users.FindByEmailAsync(newEmail))!)));
    }

    [SkippableFact]
    public async Task A_matching_email_does_not_link_the_local_account_until_its_password_is_given()
    {
        var browser = factory.CreateBrowser();
        var local = await TwoFactorAccounts.CreateAsync(factory, twoFactor: false);
        var external = await CreateUpstreamAccountAsync(local.Email);

        using var callback = await ExternalSignInAsync(browser, external.UserName);
        Assert.Equal(HttpStatusCode.OK, callback.StatusCode);
        var page = TestBrowser.Parse(await callback.Content.ReadAsStringAsync(), "/Account/ExternalLogin?handler=Callback");
        Assert.Empty(await browser.ListAsync());
        Assert.Empty(await LoginsOfAsync(local.Id));

        // Creating an account with that email is refused, without saying that it is registered.
        using var create = await browser.SubmitAsync(page.QuerySelector<IHtmlFormElement>("form.ms-external-create")!);
        var createPage = TestBrowser.Parse(await create.Content.ReadAsStringAsync(), "/Account/ExternalLogin?handler=Create");
        Assert.Equal(
            "This email address cannot be used for a new account. If you already have an account, sign in with its password below to link it.",
            createPage.QuerySelector("form.ms-external-create [role=alert]")!.TextContent.Trim());

        // A wrong password links nothing.
        using var wrong = await browser.SubmitAsync(createPage.QuerySelector<IHtmlFormElement>("form.ms-external-link")!, new Dictionary<string, string>
        {
            ["UserName"] = local.Email,
            ["Password"] = "not-the-password-1A!",
        });
        var wrongPage = TestBrowser.Parse(await wrong.Content.ReadAsStringAsync(), "/Account/ExternalLogin?handler=Link");
        Assert.NotNull(wrongPage.QuerySelector("form.ms-external-link [role=alert]"));
        Assert.Empty(await LoginsOfAsync(local.Id));
        Assert.Empty(await browser.ListAsync());

        // The account's password proves ownership: the login is linked and the account signed in, through the provider.
        using var linked = await browser.SubmitAsync(wrongPage.QuerySelector<IHtmlFormElement>("form.ms-external-link")!, new Dictionary<string, string>
        {
            ["UserName"] = local.UserName,
            ["Password"] = DemoUsers.Password,
        });
        Assert.Equal(HttpStatusCode.Redirect, linked.StatusCode);
        Assert.Equal(external.Id, Assert.Single(await LoginsOfAsync(local.Id)).ProviderKey);
        Assert.Equal(local.Email, Assert.Single(await browser.ListAsync()).GetProperty("user").GetProperty("email").GetString());
    }

    [SkippableFact]
    public async Task Creating_an_account_answers_a_registered_email_exactly_as_an_address_identity_refuses_and_creates_nothing()
    {
        var local = await TwoFactorAccounts.CreateAsync(factory, twoFactor: false);
        var external = await CreateUpstreamAccountAsync($"{Guid.NewGuid():N}"[..12] + "@upstream.example");

        async Task<(HttpStatusCode Status, string Alert)> CreateWithAsync(string email)
        {
            var browser = factory.CreateBrowser();
            using var callback = await ExternalSignInAsync(browser, external.UserName);
            var page = TestBrowser.Parse(await callback.Content.ReadAsStringAsync(), "/Account/ExternalLogin?handler=Callback");
            using var create = await browser.SubmitAsync(page.QuerySelector<IHtmlFormElement>("form.ms-external-create")!, new Dictionary<string, string> { ["Email"] = email });
            var answer = TestBrowser.Parse(await create.Content.ReadAsStringAsync(), "/Account/ExternalLogin?handler=Create");
            Assert.Empty(await browser.ListAsync());
            Assert.NotNull(answer.QuerySelector("form.ms-external-link"));
            return (create.StatusCode, answer.QuerySelector("form.ms-external-create [role=alert]")!.TextContent.Trim());
        }

        var registered = await CreateWithAsync(local.Email);
        var refused = await CreateWithAsync("two@at@example.com");
        Assert.Equal(refused, registered);
        Assert.DoesNotContain("exist", registered.Alert, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("taken", registered.Alert, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(await LoginsOfAsync(local.Id));
        Assert.Null(await factory.WithUsersAsync(users => users.FindByEmailAsync("two@at@example.com")));
    }

    [SkippableFact]
    public async Task A_later_external_sign_in_adds_exactly_one_session_and_keeps_the_others()
    {
        var browser = factory.CreateBrowser();
        var first = await TwoFactorAccounts.CreateAsync(factory, twoFactor: false);
        var second = await TwoFactorAccounts.CreateAsync(factory, twoFactor: false);
        var linked = await TwoFactorAccounts.CreateAsync(factory, twoFactor: false);
        var external = await TwoFactorAccounts.CreateAsync(factory.Upstream, twoFactor: false, prefix: "up");
        await LinkAsync(linked, external);
        await browser.SignInOkAsync(first.UserName, second.UserName);
        var before = (await browser.ListAsync()).Select(s => s.GetProperty("sessionToken").GetString()).ToList();

        using var response = await ExternalSignInAsync(browser, external.UserName, "/Account/Profile");

        PickerPage.AssertRedirectTo(response, "/Account/Profile");
        var after = await browser.ListAsync();
        Assert.Equal(3, after.Count);
        Assert.All(before, token => Assert.Contains(after, s => s.GetProperty("sessionToken").GetString() == token));
        Assert.True((await browser.SessionOfAsync(linked.Email)).GetProperty("active").GetBoolean());

        // Signing in with the provider again renews that account's session: no second slot.
        using var again = await ExternalSignInAsync(browser, external.UserName, "/Account/Profile");
        PickerPage.AssertRedirectTo(again, "/Account/Profile");
        Assert.Equal(3, (await browser.ListAsync()).Count);
    }

    [SkippableFact]
    public async Task The_limit_refuses_a_sixth_account_on_the_external_path_and_writes_nothing()
    {
        var browser = factory.CreateBrowser();
        for (var i = 0; i < 5; i++)
        {
            await browser.SignInOkAsync((await TwoFactorAccounts.CreateAsync(factory, twoFactor: false)).UserName);
        }

        var linked = await TwoFactorAccounts.CreateAsync(factory, twoFactor: false);
        var external = await TwoFactorAccounts.CreateAsync(factory.Upstream, twoFactor: false, prefix: "up");
        await LinkAsync(linked, external);

        using var refused = await ExternalSignInAsync(browser, external.UserName);
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var page = TestBrowser.Parse(await refused.Content.ReadAsStringAsync(), "/Account/ExternalLogin?handler=Callback");
        Assert.Equal(LimitMessage, page.QuerySelector(".ms-limit [role=alert]")!.TextContent.Trim());
        var sessions = await browser.ListAsync();
        Assert.Equal(5, sessions.Count);
        Assert.DoesNotContain(sessions, s => s.GetProperty("user").GetProperty("email").GetString() == linked.Email);

        // A new external identity on the full browser: the limit instead of the create form, and no account is created.
        var stranger = await TwoFactorAccounts.CreateAsync(factory.Upstream, twoFactor: false, prefix: "up");
        using var offered = await ExternalSignInAsync(browser, stranger.UserName);
        var offeredPage = TestBrowser.Parse(await offered.Content.ReadAsStringAsync(), "/Account/ExternalLogin?handler=Callback");
        Assert.Null(offeredPage.QuerySelector("form.ms-external-create"));
        Assert.NotNull(offeredPage.QuerySelector(".ms-limit [role=alert]"));
        using var created = await browser.Client.PostAsync("/Account/ExternalLogin?handler=Create", new FormUrlEncodedContent(
            offeredPage.QuerySelectorAll<IHtmlInputElement>("form.ms-external-link input[type=hidden]").Select(i => KeyValuePair.Create(i.Name!, i.Value))
                .Append(KeyValuePair.Create("Email", stranger.Email))));
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.Null(await factory.WithUsersAsync(users => users.FindByLoginAsync(ExternalProviderExtensions.Scheme, stranger.Id)));
        Assert.Null(await factory.WithUsersAsync(users => users.FindByEmailAsync(stranger.Email)));
        Assert.Equal(5, (await browser.ListAsync()).Count);
    }

    [SkippableFact]
    public async Task The_id_token_of_an_account_signed_in_through_the_provider_carries_amr_fed()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync((await TwoFactorAccounts.CreateAsync(factory, twoFactor: false)).UserName);
        var linked = await TwoFactorAccounts.CreateAsync(factory, twoFactor: false);
        var external = await TwoFactorAccounts.CreateAsync(factory.Upstream, twoFactor: false, prefix: "up");
        await LinkAsync(linked, external);
        (await ExternalSignInAsync(browser, external.UserName)).Dispose();

        var client = new OidcClient(browser);
        var tokens = await client.ExchangeAsync(client.Code(await client.AuthorizeAsync(new Dictionary<string, string?> { ["login_hint"] = linked.Email })));
        Assert.True(tokens.Status == HttpStatusCode.OK, tokens.Body.ToString());
        var idToken = await client.ValidateIdTokenAsync(tokens.IdToken!);
        Assert.Equal(linked.Id, idToken.Subject);
        Assert.Equal(["fed"], Amr(tokens.IdToken!));
    }

    [SkippableFact]
    public async Task An_account_with_two_factor_gives_its_second_factor_after_the_provider()
    {
        var browser = factory.CreateBrowser();
        var twoFactor = await TwoFactorAccounts.CreateAsync(factory, twoFactor: true);
        var external = await TwoFactorAccounts.CreateAsync(factory.Upstream, twoFactor: false, prefix: "up");
        await LinkAsync(twoFactor, external);

        using var response = await ExternalSignInAsync(browser, external.UserName);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var secondFactor = response.Headers.Location!.ToString();
        Assert.StartsWith("/Account/LoginWith2fa?attempt=", secondFactor, StringComparison.Ordinal);
        Assert.Empty(await browser.ListAsync());

        using var code = await browser.SubmitSecondFactorAsync(secondFactor, new Dictionary<string, string>
        {
            ["Code"] = TwoFactorAccounts.Totp(twoFactor.AuthenticatorKey!),
            ["RememberMachine"] = "false",
        });
        Assert.Equal(HttpStatusCode.Redirect, code.StatusCode);
        Assert.Equal(twoFactor.Email, Assert.Single(await browser.ListAsync()).GetProperty("user").GetProperty("email").GetString());
        var client = new OidcClient(browser);
        var tokens = await client.ExchangeAsync(client.Code(await client.AuthorizeAsync()));
        Assert.Equal(["fed", "mfa", "otp"], Amr(tokens.IdToken!));
    }

    [SkippableFact]
    public async Task Linking_from_the_sign_in_page_is_refused_for_an_account_with_two_factor_on()
    {
        var browser = factory.CreateBrowser();
        var twoFactor = await TwoFactorAccounts.CreateAsync(factory, twoFactor: true);
        var external = await TwoFactorAccounts.CreateAsync(factory.Upstream, twoFactor: false, prefix: "up");

        using var callback = await ExternalSignInAsync(browser, external.UserName);
        var page = TestBrowser.Parse(await callback.Content.ReadAsStringAsync(), "/Account/ExternalLogin?handler=Callback");
        using var link = await browser.SubmitAsync(page.QuerySelector<IHtmlFormElement>("form.ms-external-link")!, new Dictionary<string, string>
        {
            ["UserName"] = twoFactor.UserName,
            ["Password"] = DemoUsers.Password,
        });

        Assert.Equal(HttpStatusCode.OK, link.StatusCode);
        var linkPage = TestBrowser.Parse(await link.Content.ReadAsStringAsync(), "/Account/ExternalLogin?handler=Link");
        Assert.Contains("two-factor", linkPage.QuerySelector("form.ms-external-link [role=alert]")!.TextContent, StringComparison.Ordinal);
        Assert.Empty(await LoginsOfAsync(twoFactor.Id));
        Assert.Empty(await browser.ListAsync());
    }

    [SkippableFact]
    public async Task The_account_pages_link_the_provider_to_the_account_the_form_was_rendered_for()
    {
        var browser = factory.CreateBrowser();
        var alice = await TwoFactorAccounts.CreateAsync(factory, twoFactor: false);
        var bob = await TwoFactorAccounts.CreateAsync(factory, twoFactor: false);
        var external = await TwoFactorAccounts.CreateAsync(factory.Upstream, twoFactor: false, prefix: "up");
        await browser.SignInOkAsync(bob.UserName, alice.UserName);

        // A form rendered for alice, posted after another tab made bob active: refused, nothing goes to the provider.
        var alicePage = await browser.GetPageAsync("/Account/Manage/ExternalLogins");
        var aliceForm = alicePage.QuerySelectorAll<IHtmlFormElement>("form").Single(f => f.QuerySelector("input[name=LoginProvider]") is not null);
        await SwitchToAsync(browser, bob.Email);
        using var refused = await browser.SubmitAsync(aliceForm);
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains(alice.Email, TestBrowser.Parse(await refused.Content.ReadAsStringAsync()).QuerySelector(".ms-alert")!.TextContent, StringComparison.Ordinal);

        // Bob's own form goes to the provider and links the provider's account to bob.
        var bobPage = await browser.GetPageAsync("/Account/Manage/ExternalLogins");
        var bobForm = bobPage.QuerySelectorAll<IHtmlFormElement>("form").Single(f => f.QuerySelector("input[name=LoginProvider]") is not null);
        Assert.Equal($"Link {ExternalIdpFactory.ProviderDisplayName}", bobForm.QuerySelector("button")!.TextContent.Trim());
        using var challenge = await browser.SubmitAsync(bobForm);
        using var done = await FinishAtProviderAsync(browser, challenge, external.UserName);
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        var donePage = TestBrowser.Parse(await done.Content.ReadAsStringAsync());
        Assert.Equal("The external login was added.", donePage.QuerySelector("[role=status]")!.TextContent.Trim());
        Assert.Equal(external.Id, Assert.Single(await LoginsOfAsync(bob.Id)).ProviderKey);
        Assert.Empty(await LoginsOfAsync(alice.Id));
        Assert.Equal(2, (await browser.ListAsync()).Count);
    }

    [SkippableFact]
    public async Task Prompt_login_answered_through_the_provider_keeps_the_sid_and_gives_the_client_amr_fed()
    {
        var browser = factory.CreateBrowser();
        var linked = await TwoFactorAccounts.CreateAsync(factory, twoFactor: false);
        var external = await TwoFactorAccounts.CreateAsync(factory.Upstream, twoFactor: false, prefix: "up");
        await LinkAsync(linked, external);
        await browser.SignInOkAsync((await TwoFactorAccounts.CreateAsync(factory, twoFactor: false)).UserName, linked.UserName);
        var first = new OidcClient(browser);
        var before = await first.ExchangeAsync(first.Code(await first.AuthorizeAsync(new Dictionary<string, string?> { ["login_hint"] = linked.Email })));
        Assert.Equal(["pwd"], Amr(before.IdToken!));

        var client = new OidcClient(browser);
        using var login = await browser.GetAsync(client.AuthorizeUrl(new Dictionary<string, string?> { ["prompt"] = "login", ["login_hint"] = linked.Email }));
        PickerPage.AssertRedirectTo(login, "/Account/Login?");
        var returnUrl = QueryHelpers.ParseQuery(login.Headers.Location!.ToString().Split('?', 2)[1])["ReturnUrl"].ToString();
        using var signedIn = await ExternalSignInAsync(browser, external.UserName, returnUrl);
        var tokens = await client.ExchangeAsync(client.Code(await browser.FollowAsync(signedIn)));

        Assert.True(tokens.Status == HttpStatusCode.OK, tokens.Body.ToString());
        Assert.Equal(linked.Id, OidcClient.Read(tokens.IdToken!).Subject);
        Assert.Equal(OidcClient.Read(before.IdToken!).GetClaim("sid").Value, OidcClient.Read(tokens.IdToken!).GetClaim("sid").Value);
        Assert.Equal(["fed"], Amr(tokens.IdToken!));
        Assert.Equal(2, (await browser.ListAsync()).Count);
    }

    [SkippableFact]
    public async Task A_link_whose_account_was_switched_away_while_at_the_provider_links_nothing()
    {
        var browser = factory.CreateBrowser();
        var alice = await TwoFactorAccounts.CreateAsync(factory, twoFactor: false);
        var bob = await TwoFactorAccounts.CreateAsync(factory, twoFactor: false);
        var external = await TwoFactorAccounts.CreateAsync(factory.Upstream, twoFactor: false, prefix: "up");
        await browser.SignInOkAsync(alice.UserName, bob.UserName);

        var bobForm = (await browser.GetPageAsync("/Account/Manage/ExternalLogins")).QuerySelectorAll<IHtmlFormElement>("form")
            .Single(f => f.QuerySelector("input[name=LoginProvider]") is not null);
        var challenge = await browser.SubmitAsync(bobForm);
        Assert.True(TestBrowser.IsRedirect(challenge));
        var back = await factory.Upstream.CreateUpstreamBrowser().AuthorizeAsync(challenge.Headers.Location!, external.UserName);
        challenge.Dispose();

        // Another tab makes alice active before the provider's answer arrives.
        await SwitchToAsync(browser, alice.Email);
        using var callback = await browser.GetAsync(back.PathAndQuery);
        using var page = await browser.GetAsync(callback.Headers.Location!.ToString());

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains(bob.Email, TestBrowser.Parse(await page.Content.ReadAsStringAsync()).QuerySelector(".ms-alert")!.TextContent, StringComparison.Ordinal);
        Assert.Empty(await LoginsOfAsync(alice.Id));
        Assert.Empty(await LoginsOfAsync(bob.Id));
    }

    /// <summary>
    /// Clicks the login page's provider button, signs <paramref name="upstreamUserName"/> in at the real upstream, comes back
    /// to the host's callback and follows the host's redirects: a page, or a redirect off the callback (return URL, second factor).
    /// </summary>
    private async Task<HttpResponseMessage> ExternalSignInAsync(TestBrowser browser, string upstreamUserName, string? returnUrl = null)
    {
        var url = returnUrl is null ? "/Account/Login" : $"/Account/Login?ReturnUrl={Uri.EscapeDataString(returnUrl)}";
        var challenge = await browser.SubmitAsync(ProviderForm(await browser.GetPageAsync(url)));
        return await FinishAtProviderAsync(browser, challenge, upstreamUserName);
    }

    private async Task<HttpResponseMessage> FinishAtProviderAsync(TestBrowser browser, HttpResponseMessage challenge, string upstreamUserName)
    {
        Assert.True(TestBrowser.IsRedirect(challenge), $"The challenge answered {(int)challenge.StatusCode}");
        var authorize = challenge.Headers.Location!;
        challenge.Dispose();
        var back = await factory.Upstream.CreateUpstreamBrowser().AuthorizeAsync(authorize, upstreamUserName);
        Assert.Equal("localhost", back.Host);
        Assert.Equal(ExternalProviderExtensions.CallbackPath, back.AbsolutePath);
        var response = await browser.GetAsync(back.PathAndQuery);
        Assert.True(TestBrowser.IsRedirect(response), $"The callback answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        var next = response.Headers.Location!.ToString();
        response.Dispose();
        return await browser.GetAsync(next);
    }

    private static IHtmlFormElement ProviderForm(IHtmlDocument page) =>
        page.QuerySelectorAll<IHtmlFormElement>("form").Single(f => f.QuerySelector("input[name=Provider]") is not null);

    private async Task<UpstreamAccount> CreateUpstreamAccountAsync(string email)
    {
        var name = $"up{Guid.NewGuid():N}"[..20];
        return await factory.Upstream.WithUsersAsync(async users =>
        {
            var user = new ApplicationUser { UserName = name, Email = email, EmailConfirmed = true, DisplayName = name };
            Assert.True((await users.CreateAsync(user, DemoUsers.Password)).Succeeded);
            return new UpstreamAccount(user.Id, name);
        });
    }

    private Task LinkAsync(TestAccount local, TestAccount upstream) => factory.WithUsersAsync(async users =>
    {
        var result = await users.AddLoginAsync((await users.FindByIdAsync(local.Id))!, new UserLoginInfo(ExternalProviderExtensions.Scheme, upstream.Id, ExternalIdpFactory.ProviderDisplayName));
        Assert.True(result.Succeeded);
        return result;
    });

    private Task<IList<UserLoginInfo>> LoginsOfAsync(string userId) =>
        factory.WithUsersAsync(async users => await users.GetLoginsAsync((await users.FindByIdAsync(userId))!));

    private static async Task SwitchToAsync(TestBrowser browser, string email)
    {
        var picker = await PickerPage.OpenAsync(browser);
        (await picker.UseAsync(email)).Dispose();
        Assert.True((await browser.SessionOfAsync(email)).GetProperty("active").GetBoolean());
    }

    private static List<string> Amr(string jwt)
    {
        var payload = Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(jwt.Split('.')[1]));
        using var document = JsonDocument.Parse(payload);
        Assert.True(document.RootElement.TryGetProperty("amr", out var amr), $"No amr in {payload}");
        return amr.EnumerateArray().Select(e => e.GetString()!).ToList();
    }

    private sealed record UpstreamAccount(string Id, string UserName);
}

/// <summary>ExternalSignInTests on SQLite.</summary>
public sealed class ExternalSignInTestsOnSqlite(SqliteExternalIdpFactory factory) : ExternalSignInTests(factory), IClassFixture<SqliteExternalIdpFactory>;

/// <summary>ExternalSignInTests on PostgreSQL.</summary>
public sealed class ExternalSignInTestsOnPostgreSql(PostgreSqlExternalIdpFactory factory) : ExternalSignInTests(factory), IClassFixture<PostgreSqlExternalIdpFactory>;
