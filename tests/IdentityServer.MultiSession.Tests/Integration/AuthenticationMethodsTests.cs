using System.Net;
using System.Text;
using System.Text.Json;
using IdentityServer.MultiSession.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>
/// Each account's ID token carries the RFC 8176 <c>amr</c> of that account's last authentication on the browser, as a JSON
/// array: <c>pwd</c>; <c>pwd mfa otp</c> with an authenticator code; <c>pwd mfa</c> with a recovery code. Re-authentication
/// (<c>prompt=login</c>) replaces them.
/// </summary>
public abstract class AuthenticationMethodsTests
{
    private readonly IdpFactory factory;

    protected AuthenticationMethodsTests(IdpFactory factory)
    {
        this.factory = factory;
        factory.RequireDatabase();
    }

    [SkippableFact]
    public async Task A_password_sign_in_gives_amr_pwd_in_the_id_token_and_the_access_token()
    {
        var browser = factory.CreateBrowser();
        var account = await TwoFactorAccounts.CreateAsync(factory, twoFactor: false);
        await browser.SignInOkAsync(account.UserName);

        var tokens = await TokensAsync(browser);
        Assert.Equal(["pwd"], Amr(tokens.IdToken!));
        Assert.Equal(["pwd"], Amr(tokens.AccessToken!));
    }

    [SkippableFact]
    public async Task An_authenticator_code_sign_in_gives_amr_pwd_mfa_otp()
    {
        var browser = factory.CreateBrowser();
        var account = await TwoFactorAccounts.CreateAsync(factory, twoFactor: true);
        (await browser.SignInWithAuthenticatorAsync(account)).Dispose();

        Assert.Equal(["pwd", "mfa", "otp"], Amr((await TokensAsync(browser)).IdToken!));
    }

    [SkippableFact]
    public async Task A_recovery_code_sign_in_gives_amr_pwd_mfa()
    {
        var browser = factory.CreateBrowser();
        var account = await TwoFactorAccounts.CreateAsync(factory, twoFactor: true);
        using var password = await browser.PasswordStepAsync(account);
        (await browser.SubmitSecondFactorAsync(TwoFactorSignInUrls.Recovery(password.Headers.Location!.ToString()), new Dictionary<string, string> { ["RecoveryCode"] = account.RecoveryCodes[0] })).Dispose();

        Assert.Equal(["pwd", "mfa"], Amr((await TokensAsync(browser)).IdToken!));
    }

    [SkippableFact]
    public async Task Each_account_on_the_browser_gets_the_methods_of_its_own_sign_in()
    {
        var browser = factory.CreateBrowser();
        var plain = await TwoFactorAccounts.CreateAsync(factory, twoFactor: false);
        var twoFactor = await TwoFactorAccounts.CreateAsync(factory, twoFactor: true);
        (await browser.SignInWithAuthenticatorAsync(twoFactor)).Dispose();
        await browser.SignInOkAsync(plain.UserName);

        var plainTokens = await TokensAsync(browser, plain.Email);
        var twoFactorTokens = await TokensAsync(browser, twoFactor.Email);
        Assert.Equal(["pwd"], Amr(plainTokens.IdToken!));
        Assert.Equal(["pwd", "mfa", "otp"], Amr(twoFactorTokens.IdToken!));

        // A refresh token of the two-factor account keeps its methods.
        var refreshed = await OidcClient.RefreshAsync(browser.Client, twoFactorTokens.RefreshToken!);
        Assert.Equal(["pwd", "mfa", "otp"], Amr(refreshed.IdToken!));
    }

    [SkippableFact]
    public async Task Prompt_login_re_authentication_replaces_the_methods_of_that_account_only()
    {
        var browser = factory.CreateBrowser();
        var plain = await TwoFactorAccounts.CreateAsync(factory, twoFactor: false);
        var twoFactor = await TwoFactorAccounts.CreateAsync(factory, twoFactor: true);
        await browser.SignInOkAsync(plain.UserName);
        (await browser.SignInWithAuthenticatorAsync(twoFactor, remember: true)).Dispose();
        Assert.Equal(["pwd", "mfa", "otp"], Amr((await TokensAsync(browser, twoFactor.Email)).IdToken!));

        // prompt=login: the browser is remembered for this account, so the password alone signs it in again.
        var client = new OidcClient(browser);
        using var login = await browser.GetAsync(client.AuthorizeUrl(new Dictionary<string, string?> { ["prompt"] = "login", ["login_hint"] = twoFactor.Email }));
        PickerPage.AssertRedirectTo(login, "/Account/Login?");
        var returnUrl = QueryHelpers.ParseQuery(login.Headers.Location!.ToString().Split('?', 2)[1])["ReturnUrl"].ToString();
        using var signedIn = await browser.SignInAsync(twoFactor.UserName, returnUrl);
        var tokens = await client.ExchangeAsync(client.Code(await browser.FollowAsync(signedIn)));
        Assert.Equal(["pwd"], Amr(tokens.IdToken!));

        Assert.Equal(["pwd"], Amr((await TokensAsync(browser, plain.Email)).IdToken!));
        Assert.Equal(2, (await browser.ListAsync()).Count);
    }

    [SkippableFact]
    public async Task Prompt_login_through_the_second_factor_gives_the_client_the_new_methods()
    {
        var browser = factory.CreateBrowser();
        var twoFactor = await TwoFactorAccounts.CreateAsync(factory, twoFactor: true);
        await browser.SignInOkAsync((await TwoFactorAccounts.CreateAsync(factory, twoFactor: false)).UserName);

        var client = new OidcClient(browser);
        using var login = await browser.GetAsync(client.AuthorizeUrl(new Dictionary<string, string?> { ["prompt"] = "login" }));
        var returnUrl = QueryHelpers.ParseQuery(login.Headers.Location!.ToString().Split('?', 2)[1])["ReturnUrl"].ToString();
        using var done = await browser.SignInWithAuthenticatorAsync(twoFactor, returnUrl: returnUrl);
        Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        var tokens = await client.ExchangeAsync(client.Code(await browser.FollowAsync(done)));
        var idToken = await client.ValidateIdTokenAsync(tokens.IdToken!);
        Assert.Equal(twoFactor.Id, idToken.Subject);
        Assert.Equal(["pwd", "mfa", "otp"], Amr(tokens.IdToken!));
    }

    [SkippableFact]
    public async Task Discovery_lists_amr_among_the_supported_claims()
    {
        using var document = JsonDocument.Parse(await factory.CreateBrowser().Client.GetStringAsync("/.well-known/openid-configuration"));
        Assert.Contains("amr", document.RootElement.GetProperty("claims_supported").EnumerateArray().Select(e => e.GetString()));
    }

    private static async Task<TokenResponse> TokensAsync(TestBrowser browser, string? loginHint = null)
    {
        var client = new OidcClient(browser);
        var extra = loginHint is null ? null : new Dictionary<string, string?> { ["login_hint"] = loginHint };
        var tokens = await client.ExchangeAsync(client.Code(await client.AuthorizeAsync(extra)));
        Assert.True(tokens.Status == HttpStatusCode.OK, tokens.Body.ToString());
        return tokens;
    }

    /// <summary>The token's <c>amr</c>, asserted to be a JSON array.</summary>
    private static List<string> Amr(string jwt)
    {
        var payload = Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(jwt.Split('.')[1]));
        using var document = JsonDocument.Parse(payload);
        Assert.True(document.RootElement.TryGetProperty("amr", out var amr), $"No amr in {payload}");
        Assert.Equal(JsonValueKind.Array, amr.ValueKind);
        return amr.EnumerateArray().Select(e => e.GetString()!).ToList();
    }
}

/// <summary>AuthenticationMethodsTests on SQLite.</summary>
public sealed class AuthenticationMethodsTestsOnSqlite(SqliteIdpFactory factory) : AuthenticationMethodsTests(factory), IClassFixture<SqliteIdpFactory>;

/// <summary>AuthenticationMethodsTests on PostgreSQL.</summary>
public sealed class AuthenticationMethodsTestsOnPostgreSql(PostgreSqlIdpFactory factory) : AuthenticationMethodsTests(factory), IClassFixture<PostgreSqlIdpFactory>;
