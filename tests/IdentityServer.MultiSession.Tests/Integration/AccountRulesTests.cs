using System.Net;
using IdentityServer.MultiSession.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>
/// Identity's rules at the authorization endpoint with several accounts on one browser: a deleted account or one that may no
/// longer sign in loses its session there, a locked-out one is refused, the other accounts are untouched, and the client gets
/// <c>login_required</c> with <c>prompt=none</c>, else the login page.
/// </summary>
public abstract class AccountRulesTests
{
    private readonly IdpFactory factory;

    protected AccountRulesTests(IdpFactory factory)
    {
        this.factory = factory;
        factory.RequireDatabase();
    }

    /// <summary>The factory in use.</summary>
    protected IdpFactory Factory => factory;

    [SkippableFact]
    public async Task A_deleted_account_loses_its_session_and_prompt_none_gets_login_required_while_the_other_account_stays()
    {
        var browser = factory.CreateBrowser();
        var kept = await TwoFactorAccounts.CreateAsync(factory, twoFactor: false);
        var deleted = await TwoFactorAccounts.CreateAsync(factory, twoFactor: false);
        await browser.SignInOkAsync(kept.UserName, deleted.UserName);
        await factory.WithUsersAsync(async users => await users.DeleteAsync((await users.FindByIdAsync(deleted.Id))!));

        var error = await AuthorizeErrorAsync(browser, deleted.Email, prompt: "none");
        Assert.Equal("login_required", error);
        var sessions = await browser.ListAsync();
        Assert.Equal([kept.Email], sessions.Select(s => s.GetProperty("user").GetProperty("email").GetString()));

        // The remaining account still works for a client.
        var client = new OidcClient(browser);
        var tokens = await client.ExchangeAsync(client.Code(await client.AuthorizeAsync(new Dictionary<string, string?> { ["prompt"] = "none" })));
        Assert.Equal(kept.Id, (await client.ValidateIdTokenAsync(tokens.IdToken!)).Subject);
    }

    [SkippableFact]
    public async Task A_deleted_active_account_sends_the_client_to_the_login_page_without_prompt_none()
    {
        var browser = factory.CreateBrowser();
        var kept = await TwoFactorAccounts.CreateAsync(factory, twoFactor: false);
        var deleted = await TwoFactorAccounts.CreateAsync(factory, twoFactor: false);
        await browser.SignInOkAsync(kept.UserName, deleted.UserName);
        await factory.WithUsersAsync(async users => await users.DeleteAsync((await users.FindByIdAsync(deleted.Id))!));

        using var response = await browser.GetAsync(new OidcClient(browser).AuthorizeUrl());
        PickerPage.AssertRedirectTo(response, "/Account/Login?");
        Assert.DoesNotContain("login_hint", response.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.Single(await browser.ListAsync());
    }

    [SkippableFact]
    public async Task A_locked_out_account_is_refused_with_login_required_or_the_login_page_and_the_other_account_is_untouched()
    {
        var browser = factory.CreateBrowser();
        var other = await TwoFactorAccounts.CreateAsync(factory, twoFactor: false);
        var locked = await TwoFactorAccounts.CreateAsync(factory, twoFactor: false);
        await browser.SignInOkAsync(other.UserName, locked.UserName);
        await factory.WithUsersAsync(async users => await users.SetLockoutEndDateAsync((await users.FindByIdAsync(locked.Id))!, DateTimeOffset.UtcNow.AddHours(1)));

        Assert.Equal("login_required", await AuthorizeErrorAsync(browser, locked.Email, prompt: "none"));

        using var login = await browser.GetAsync(new OidcClient(browser).AuthorizeUrl(new Dictionary<string, string?> { ["login_hint"] = locked.Email }));
        PickerPage.AssertRedirectTo(login, "/Account/Login?");
        Assert.Equal(locked.Email, QueryHelpers.ParseQuery(login.Headers.Location!.ToString().Split('?', 2)[1])["login_hint"].ToString());

        var client = new OidcClient(browser);
        var tokens = await client.ExchangeAsync(client.Code(await client.AuthorizeAsync(new Dictionary<string, string?> { ["login_hint"] = other.Email })));
        Assert.Equal(other.Id, (await client.ValidateIdTokenAsync(tokens.IdToken!)).Subject);
        Assert.Equal(2, (await browser.ListAsync()).Count);
    }

    [SkippableFact]
    public async Task A_locked_out_accounts_refresh_token_is_refused()
    {
        var browser = factory.CreateBrowser();
        var locked = await TwoFactorAccounts.CreateAsync(factory, twoFactor: false);
        await browser.SignInOkAsync(locked.UserName);
        var client = new OidcClient(browser);
        var tokens = await client.ExchangeAsync(client.Code(await client.AuthorizeAsync()));
        await factory.WithUsersAsync(async users => await users.SetLockoutEndDateAsync((await users.FindByIdAsync(locked.Id))!, DateTimeOffset.UtcNow.AddHours(1)));

        var refreshed = await OidcClient.RefreshAsync(browser.Client, tokens.RefreshToken!);
        Assert.Equal("invalid_grant", refreshed.Error);
    }

    /// <summary>Starts an authorization request for <paramref name="loginHint"/> and returns the error the client receives.</summary>
    protected static async Task<string?> AuthorizeErrorAsync(TestBrowser browser, string loginHint, string prompt)
    {
        var client = new OidcClient(browser);
        using var response = await client.AuthorizeAsync(new Dictionary<string, string?> { ["login_hint"] = loginHint, ["prompt"] = prompt });
        return OidcClient.Callback(response).GetValueOrDefault("error");
    }
}

/// <summary>AccountRulesTests on SQLite.</summary>
public sealed class AccountRulesTestsOnSqlite(SqliteIdpFactory factory) : AccountRulesTests(factory), IClassFixture<SqliteIdpFactory>;

/// <summary>AccountRulesTests on PostgreSQL.</summary>
public sealed class AccountRulesTestsOnPostgreSql(PostgreSqlIdpFactory factory) : AccountRulesTests(factory), IClassFixture<PostgreSqlIdpFactory>;

/// <summary>The host with <c>Identity:SignIn:RequireConfirmedAccount=true</c>, on SQLite.</summary>
public sealed class ConfirmedAccountIdpFactory : IdpFactory
{
    public ConfirmedAccountIdpFactory()
    {
        Settings["Identity:SignIn:RequireConfirmedAccount"] = "true";
    }
}

/// <summary>The host with <c>Identity:SignIn:RequireConfirmedAccount=true</c>, on PostgreSQL.</summary>
public sealed class ConfirmedAccountPostgreSqlIdpFactory : IdpFactory
{
    public ConfirmedAccountPostgreSqlIdpFactory()
    {
        Provider = "PostgreSQL";
        Settings["Identity:SignIn:RequireConfirmedAccount"] = "true";
    }
}

/// <summary>UnconfirmedAccountTests on SQLite.</summary>
public sealed class UnconfirmedAccountTestsOnSqlite(ConfirmedAccountIdpFactory factory) : UnconfirmedAccountTests(factory), IClassFixture<ConfirmedAccountIdpFactory>;

/// <summary>UnconfirmedAccountTests on PostgreSQL.</summary>
public sealed class UnconfirmedAccountTestsOnPostgreSql(ConfirmedAccountPostgreSqlIdpFactory factory) : UnconfirmedAccountTests(factory), IClassFixture<ConfirmedAccountPostgreSqlIdpFactory>;

/// <summary>An unconfirmed account when confirmation is required.</summary>
public abstract class UnconfirmedAccountTests
{
    private readonly IdpFactory factory;

    protected UnconfirmedAccountTests(IdpFactory factory)
    {
        this.factory = factory;
        factory.RequireDatabase();
    }

    [SkippableFact]
    public async Task An_account_whose_email_is_no_longer_confirmed_is_sent_to_the_login_page_without_prompt_none_and_the_other_account_stays()
    {
        var browser = factory.CreateBrowser();
        var other = await TwoFactorAccounts.CreateAsync(factory, twoFactor: false);
        var unconfirmed = await TwoFactorAccounts.CreateAsync(factory, twoFactor: false);
        await browser.SignInOkAsync(other.UserName, unconfirmed.UserName);
        await factory.WithUsersAsync(async users =>
        {
            var user = (await users.FindByIdAsync(unconfirmed.Id))!;
            user.EmailConfirmed = false;
            return await users.UpdateAsync(user);
        });

        // The active account may no longer sign in: no prompt, no hint gives the login page for it, and its session ends.
        using var response = await browser.GetAsync(new OidcClient(browser).AuthorizeUrl());
        PickerPage.AssertRedirectTo(response, "/Account/Login?");
        Assert.Equal(unconfirmed.Email, QueryHelpers.ParseQuery(response.Headers.Location!.ToString().Split('?', 2)[1])["login_hint"].ToString());
        Assert.Equal([other.Email], (await browser.ListAsync()).Select(s => s.GetProperty("user").GetProperty("email").GetString()));

        // The other account still reaches a client.
        var client = new OidcClient(browser);
        var tokens = await client.ExchangeAsync(client.Code(await client.AuthorizeAsync(new Dictionary<string, string?> { ["prompt"] = "none" })));
        Assert.Equal(other.Id, (await client.ValidateIdTokenAsync(tokens.IdToken!)).Subject);
    }

    [SkippableFact]
    public async Task An_account_whose_email_is_no_longer_confirmed_loses_its_session_on_this_browser_only()
    {
        var browser = factory.CreateBrowser();
        var other = await TwoFactorAccounts.CreateAsync(factory, twoFactor: false);
        var unconfirmed = await TwoFactorAccounts.CreateAsync(factory, twoFactor: false);
        await browser.SignInOkAsync(other.UserName, unconfirmed.UserName);
        await factory.WithUsersAsync(async users =>
        {
            var user = (await users.FindByIdAsync(unconfirmed.Id))!;
            user.EmailConfirmed = false;
            return await users.UpdateAsync(user);
        });

        var client = new OidcClient(browser);
        using var response = await client.AuthorizeAsync(new Dictionary<string, string?> { ["login_hint"] = unconfirmed.Email, ["prompt"] = "none" });
        Assert.Equal("login_required", OidcClient.Callback(response).GetValueOrDefault("error"));
        Assert.Equal([other.Email], (await browser.ListAsync()).Select(s => s.GetProperty("user").GetProperty("email").GetString()));
    }

    [SkippableFact]
    public async Task An_unconfirmed_account_cannot_sign_in_and_adds_no_session()
    {
        var browser = factory.CreateBrowser();
        var unconfirmed = await TwoFactorAccounts.CreateAsync(factory, twoFactor: false);
        await factory.WithUsersAsync(async users =>
        {
            var user = (await users.FindByIdAsync(unconfirmed.Id))!;
            user.EmailConfirmed = false;
            return await users.UpdateAsync(user);
        });

        using var response = await browser.SignInAsync(unconfirmed.UserName);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await browser.ListAsync());
    }
}
