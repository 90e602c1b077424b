using System.Net;
using System.Text.Json;
using IdentityServer.MultiSession.Sessions;
using IdentityServer.MultiSession.Tests.Infrastructure;
using IdpHost.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>
/// The security stamp recorded with each session: a change ends the sessions created under the old stamp (only those), on
/// browser requests, the picker, hints, the token endpoint and userinfo; the session that changed its own password keeps its sid.
/// </summary>
public abstract class SecurityStampTests
{
    private readonly IdpFactory fixture;

    protected SecurityStampTests(IdpFactory fixture)
    {
        this.fixture = fixture;
        fixture.RequireDatabase();
    }

    private EndpointsIdpFactory Create(string interval = "00:00:00")
    {
        var host = new EndpointsIdpFactory { Provider = fixture.Provider };
        host.Settings["MultiSession:SecurityStampValidationInterval"] = interval;
        return host;
    }

    private static async Task ChangeStampAsync(IdpFactory host, string userName)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = await users.FindByNameAsync(userName);
        Assert.True((await users.UpdateSecurityStampAsync(user!)).Succeeded);
    }

    private static List<string?> Emails(List<JsonElement> list) => list.Select(e => e.GetProperty("user").GetProperty("email").GetString()).ToList();

    [SkippableFact]
    public async Task A_stale_session_checked_after_the_user_signed_in_again_elsewhere_ends_only_the_sessions_of_the_old_stamp()
    {
        using var host = Create();
        var laptop = host.CreateBrowser();
        await laptop.SignInOkAsync("alice");
        await ChangeStampAsync(host, "alice");
        var phone = host.CreateBrowser();
        await phone.SignInOkAsync("alice");

        using (var stale = await laptop.GetAsync("/Account/Profile"))
        {
            PickerPage.AssertRedirectTo(stale, "/Account/Login");
        }

        Assert.Empty(await laptop.ListAsync());
        Assert.Equal(["alice@example.com"], Emails(await phone.ListAsync()));
        using var fresh = await phone.GetAsync("/Account/Profile");
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
    }

    [SkippableFact]
    public async Task A_refresh_token_and_userinfo_stop_working_once_the_security_stamp_changed()
    {
        // The interval is long: the token endpoint and userinfo check the stamp on every call, not at the interval.
        using var host = Create("01:00:00");
        var browser = host.CreateBrowser();
        await browser.SignInOkAsync("bob");
        var client = new OidcClient(browser);
        var tokens = await client.ExchangeAsync(client.Code(await client.AuthorizeAsync()));
        Assert.Equal(HttpStatusCode.OK, tokens.Status);
        using (var before = new HttpRequestMessage(HttpMethod.Get, "/connect/userinfo"))
        {
            before.Headers.Authorization = new("Bearer", tokens.AccessToken);
            using var ok = await browser.Client.SendAsync(before);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        await ChangeStampAsync(host, "bob");

        using (var after = new HttpRequestMessage(HttpMethod.Get, "/connect/userinfo"))
        {
            after.Headers.Authorization = new("Bearer", tokens.AccessToken);
            using var refused = await browser.Client.SendAsync(after);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        Assert.Equal("invalid_grant", (await OidcClient.RefreshAsync(browser.Client, tokens.RefreshToken!)).Error);
        Assert.Empty(await browser.ListAsync());
    }

    [SkippableFact]
    public async Task Neither_the_picker_nor_login_hint_offers_a_non_active_account_whose_stamp_changed()
    {
        using var host = Create();
        var browser = host.CreateBrowser();
        await browser.SignInOkAsync("carol", "alice");
        await ChangeStampAsync(host, "carol");

        using var hinted = await browser.GetAsync(new OidcClient(browser).AuthorizeUrl(new Dictionary<string, string?> { ["login_hint"] = "carol@example.com" }));
        PickerPage.AssertRedirectTo(hinted, "/Account/Login?");
        var query = QueryHelpers.ParseQuery(hinted.Headers.Location!.OriginalString.Split('?', 2)[1]);
        Assert.Equal("carol@example.com", query["login_hint"].ToString());

        var picker = await browser.GetPageAsync(MultiSessionDefaults.PickerPath);
        Assert.DoesNotContain("carol@example.com", picker.Body!.TextContent, StringComparison.Ordinal);
        Assert.Equal(["alice@example.com"], Emails(await browser.ListAsync()));
    }

    [SkippableFact]
    public async Task Changing_the_password_and_refreshing_the_sign_in_keeps_the_sid_and_ends_the_users_other_sessions_at_once()
    {
        // A long interval: the other device's session ends because of the change itself, not because a check fell due.
        using var host = Create("01:00:00");
        var phone = host.CreateBrowser();
        await phone.SignInOkAsync("dave");
        var laptop = host.CreateBrowser();
        await laptop.SignInOkAsync("dave");
        var sid = (await laptop.SessionOfAsync("dave@example.com")).GetProperty("sessionId").GetString();

        using (var changed = await laptop.PostJsonAsync("/test/change-password", null))
        {
            Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        }

        Assert.Equal(sid, (await laptop.SessionOfAsync("dave@example.com")).GetProperty("sessionId").GetString());
        using (var profile = await laptop.GetAsync("/Account/Profile"))
        {
            Assert.Equal(HttpStatusCode.OK, profile.StatusCode);
        }

        Assert.Empty(await phone.ListAsync());
    }

    [SkippableFact]
    public async Task A_stamp_change_made_through_the_idp_ends_the_old_stamp_sessions_at_once()
    {
        using var host = Create("01:00:00");
        var browser = host.CreateBrowser();
        await browser.SignInOkAsync("erin", "frank");
        await ChangeStampAsync(host, "erin");
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            var erin = await users.FindByNameAsync("erin");
            Assert.Equal(1, await scope.ServiceProvider.GetRequiredService<IDeviceSessionService>().RevokeStaleSessionsAsync(erin!.Id));
        }

        Assert.Equal(["frank@example.com"], Emails(await browser.ListAsync()));
    }

    [SkippableFact]
    public async Task Signing_out_of_the_other_devices_from_the_profile_page_ends_them_at_once_and_keeps_this_session()
    {
        using var host = Create("01:00:00");
        var phone = host.CreateBrowser();
        await phone.SignInOkAsync("bob", "frank");
        var laptop = host.CreateBrowser();
        await laptop.SignInOkAsync("bob");
        var sid = (await laptop.SessionOfAsync("bob@example.com")).GetProperty("sessionId").GetString();

        var profile = await laptop.GetPageAsync("/Account/Profile");
        using var posted = await laptop.SubmitAsync(profile.QuerySelectorAll<IHtmlFormElement>("form").Single(f => f.QuerySelector("#sign-out-other-devices") is not null));
        PickerPage.AssertRedirectTo(posted, "/Account/Profile");

        var after = await laptop.GetPageAsync("/Account/Profile");
        Assert.Equal(sid, after.QuerySelector("#profile-sid")!.TextContent);
        Assert.Equal("Your other devices are signed out.", after.QuerySelector("#profile-message")!.TextContent);
        Assert.Equal(["frank@example.com"], Emails(await phone.ListAsync()));
    }

    [SkippableFact]
    public async Task A_role_removed_from_the_user_stops_at_the_next_check_without_a_stamp_change()
    {
        using var host = Create();
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
            await roles.CreateAsync(new IdentityRole("admin"));
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            await users.AddToRoleAsync((await users.FindByNameAsync("alice"))!, "admin");
        }

        var browser = host.CreateBrowser();
        await browser.SignInOkAsync("alice");
        Assert.Contains("admin", await RolesAsync(browser));

        await using (var scope = host.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            var alice = (await users.FindByNameAsync("alice"))!;
            var stamp = await users.GetSecurityStampAsync(alice);
            await users.RemoveFromRoleAsync(alice, "admin");
            Assert.Equal(stamp, await users.GetSecurityStampAsync((await users.FindByNameAsync("alice"))!));
        }

        Assert.DoesNotContain("admin", await RolesAsync(browser));
    }

    private static async Task<string[]> RolesAsync(TestBrowser browser)
    {
        using var response = await browser.GetAsync("/test/roles");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonSerializer.Deserialize<string[]>(await response.Content.ReadAsStringAsync())!;
    }
}

/// <summary>SecurityStampTests on SQLite.</summary>
public sealed class SecurityStampTestsOnSqlite(SqliteIdpFactory factory) : SecurityStampTests(factory), IClassFixture<SqliteIdpFactory>;

/// <summary>SecurityStampTests on PostgreSQL.</summary>
public sealed class SecurityStampTestsOnPostgreSql(PostgreSqlIdpFactory factory) : SecurityStampTests(factory), IClassFixture<PostgreSqlIdpFactory>;
