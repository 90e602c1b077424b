using System.Net;
using System.Text.Json;
using IdentityServer.MultiSession.Storage;
using IdentityServer.MultiSession.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>
/// Tokens follow the device session they were issued through: once it ends, refresh and code redemption get
/// <c>invalid_grant</c>, introspection answers inactive and userinfo 401, and its OpenIddict authorization and tokens are
/// revoked; the other accounts of the browser keep theirs.
/// </summary>
public abstract class TokensFollowSessionsTests
{
    private readonly IdpFactory factory;

    protected TokensFollowSessionsTests(IdpFactory factory)
    {
        this.factory = factory;
        factory.RequireDatabase();
    }

    public static TheoryData<string, bool> SessionEnds => new()
    {
        // (how bob's session ends, whether alice's session on the same browser ends with it)
        { "picker: sign out of bob", false },
        { "api: revoke bob", false },
        { "picker: sign out of all accounts", true },
        { "api: sign out", true },
        { "end-session with bob's id_token_hint", true },
    };

    [SkippableTheory]
    [MemberData(nameof(SessionEnds))]
    public async Task After_a_session_ends_its_refresh_token_userinfo_and_introspection_are_refused_and_only_its_own(string how, bool aliceEndsToo)
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        var alice = await TokenProbe.ForAsync(browser, "alice@example.com");
        var bob = await TokenProbe.ForAsync(browser, "bob@example.com");
        Assert.True(await bob.IsActiveAsync());
        Assert.Equal(HttpStatusCode.OK, await bob.UserInfoAsync());

        await EndBobAsync(browser, how, bob);

        await bob.AssertRefusedAsync();
        if (aliceEndsToo)
        {
            await alice.AssertRefusedAsync();
        }
        else
        {
            await alice.AssertAcceptedAsync();
        }
    }

    [SkippableFact]
    public async Task An_account_evicted_at_the_limit_has_its_tokens_refused_and_the_others_keep_theirs()
    {
        using var evicting = new IdpFactory { Provider = factory.Provider };
        evicting.Settings["MultiSession:MaximumSessions"] = "2";
        evicting.Settings["MultiSession:OnLimitReached"] = "EvictLeastRecentlyUsed";
        var browser = evicting.CreateBrowser();
        await browser.SignInOkAsync("alice");
        var alice = await TokenProbe.ForAsync(browser, "alice@example.com");
        await browser.SignInOkAsync("bob");
        var bob = await TokenProbe.ForAsync(browser, "bob@example.com");

        await browser.SignInOkAsync("carol");

        Assert.DoesNotContain(await browser.ListAsync(), s => s.GetProperty("user").GetProperty("email").GetString() == "alice@example.com");
        await alice.AssertRefusedAsync();
        await bob.AssertAcceptedAsync();
    }

    [SkippableFact]
    public async Task An_authorization_code_issued_before_its_session_ended_cannot_be_redeemed()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("carol");
        var client = new OidcClient(browser);
        var code = client.Code(await client.AuthorizeAsync());

        await RevokeAsync(browser, "carol@example.com");

        var tokens = await client.ExchangeAsync(code);
        Assert.Equal(HttpStatusCode.BadRequest, tokens.Status);
        Assert.Equal("invalid_grant", tokens.Error);
        Assert.Null(tokens.AccessToken);
    }

    [SkippableFact]
    public async Task Ending_a_session_revokes_its_OpenIddict_authorization_and_tokens_and_leaves_the_other_accounts_valid()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("dave", "erin");
        var dave = await TokenProbe.ForAsync(browser, "dave@example.com");
        var erin = await TokenProbe.ForAsync(browser, "erin@example.com");
        var daveSid = OidcClient.Read(dave.Tokens.IdToken!).GetClaim("sid").Value;
        var erinSid = OidcClient.Read(erin.Tokens.IdToken!).GetClaim("sid").Value;
        Assert.Equal(Statuses.Valid, (await AuthorizationOfAsync(daveSid)).Status);

        await RevokeAsync(browser, "dave@example.com");

        var daves = await AuthorizationOfAsync(daveSid);
        Assert.Equal(Statuses.Revoked, daves.Status);
        Assert.NotEmpty(daves.TokenStatuses);
        Assert.All(daves.TokenStatuses, status => Assert.Equal(Statuses.Revoked, status));
        var erins = await AuthorizationOfAsync(erinSid);
        Assert.Equal(Statuses.Valid, erins.Status);
        Assert.Contains(Statuses.Valid, erins.TokenStatuses);
    }

    [SkippableFact]
    public async Task A_session_ended_without_revoking_its_tokens_still_has_them_refused_at_once()
    {
        // As when another instance, the security-stamp check or the expiry cleanup ends the session: the store alone changes.
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("frank");
        var frank = await TokenProbe.ForAsync(browser, "frank@example.com");
        var sid = OidcClient.Read(frank.Tokens.IdToken!).GetClaim("sid").Value;
        var userId = OidcClient.Read(frank.Tokens.IdToken!).Subject;

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            Assert.Single(await scope.ServiceProvider.GetRequiredService<IDeviceSessionStore>().EndUserSessionsAsync(userId, staleOnly: false, currentStampHash: null));
        }

        Assert.Equal(Statuses.Valid, (await AuthorizationOfAsync(sid)).Status);
        await frank.AssertRefusedAsync();
    }

    [SkippableFact]
    public async Task Ending_every_session_of_a_user_revokes_their_authorizations_on_every_browser()
    {
        var laptop = factory.CreateBrowser();
        var phone = factory.CreateBrowser();
        await laptop.SignInOkAsync("erin");
        await phone.SignInOkAsync("erin");
        var onLaptop = await TokenProbe.ForAsync(laptop, "erin@example.com");
        var onPhone = await TokenProbe.ForAsync(phone, "erin@example.com");
        var userId = OidcClient.Read(onLaptop.Tokens.IdToken!).Subject;

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var ended = await scope.ServiceProvider.GetRequiredService<IdentityServer.MultiSession.Sessions.IDeviceSessionService>().RevokeUserSessionsAsync(userId);
            Assert.True(ended >= 2, $"{ended} sessions ended");
        }

        foreach (var probe in new[] { onLaptop, onPhone })
        {
            Assert.Equal(Statuses.Revoked, (await AuthorizationOfAsync(OidcClient.Read(probe.Tokens.IdToken!).GetClaim("sid").Value)).Status);
            await probe.AssertRefusedAsync();
        }
    }

    [SkippableFact]
    public async Task Each_session_and_client_gets_one_authorization_that_names_the_sid_and_is_reused_by_the_next_request()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice");
        var first = await TokenProbe.ForAsync(browser, "alice@example.com");
        var second = await TokenProbe.ForAsync(browser, "alice@example.com");
        var sid = OidcClient.Read(first.Tokens.IdToken!).GetClaim("sid").Value;
        Assert.Equal(sid, OidcClient.Read(second.Tokens.IdToken!).GetClaim("sid").Value);

        var authorization = await AuthorizationOfAsync(sid);
        Assert.Equal(1, authorization.Count);
        Assert.Equal(authorization.Id, OidcClient.Read(first.Tokens.AccessToken!).GetClaim("oi_au_id").Value);
        Assert.Equal(authorization.Id, OidcClient.Read(second.Tokens.AccessToken!).GetClaim("oi_au_id").Value);
    }

    private async Task EndBobAsync(TestBrowser browser, string how, TokenProbe bob)
    {
        switch (how)
        {
            case "picker: sign out of bob":
                using (var response = await (await PickerPage.OpenAsync(browser)).SignOutAsync("bob@example.com"))
                {
                    Assert.True(TestBrowser.IsRedirect(response), $"picker sign-out answered {(int)response.StatusCode}");
                }

                break;
            case "api: revoke bob":
                await RevokeAsync(browser, "bob@example.com");
                break;
            case "picker: sign out of all accounts":
                var picker = await PickerPage.OpenAsync(browser);
                using (var response = await browser.SubmitAsync(picker.SignOutAllForm))
                {
                    Assert.True(TestBrowser.IsRedirect(response), $"picker sign-out of all answered {(int)response.StatusCode}");
                }

                break;
            case "api: sign out":
                using (var response = await browser.PostJsonAsync("/multi-session/sign-out", null))
                {
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                }

                break;
            case "end-session with bob's id_token_hint":
                var url = QueryHelpers.AddQueryString("/connect/endsession", new Dictionary<string, string?>
                {
                    ["id_token_hint"] = bob.Tokens.IdToken,
                    ["post_logout_redirect_uri"] = IdpFactory.PostLogoutRedirectUri,
                });
                using (var response = await browser.GetAsync(url))
                {
                    Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
                    Assert.StartsWith(IdpFactory.PostLogoutRedirectUri, response.Headers.Location!.ToString(), StringComparison.Ordinal);
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(how), how, null);
        }

        Assert.DoesNotContain(await browser.ListAsync(), s => s.GetProperty("user").GetProperty("email").GetString() == "bob@example.com");
    }

    private static async Task RevokeAsync(TestBrowser browser, string email)
    {
        var token = (await browser.SessionOfAsync(email)).GetProperty("sessionToken").GetString();
        using var response = await browser.PostJsonAsync("/multi-session/revoke", JsonSerializer.Serialize(new { sessionToken = token }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>The OpenIddict authorizations whose sid property is <paramref name="sid"/>: the first's id and status, its tokens' statuses, and how many there are.</summary>
    private async Task<(string Id, string? Status, List<string?> TokenStatuses, int Count)> AuthorizationOfAsync(string sid)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var authorizations = scope.ServiceProvider.GetRequiredService<IOpenIddictAuthorizationManager>();
        var tokens = scope.ServiceProvider.GetRequiredService<IOpenIddictTokenManager>();
        var found = new List<object>();
        await foreach (var authorization in authorizations.ListAsync(count: null, offset: null))
        {
            var properties = await authorizations.GetPropertiesAsync(authorization);
            if (properties.TryGetValue("ms_sid", out var value) && value.GetString() == sid)
            {
                found.Add(authorization);
            }
        }

        Assert.NotEmpty(found);
        var id = (await authorizations.GetIdAsync(found[0]))!;
        var statuses = new List<string?>();
        await foreach (var token in tokens.FindByAuthorizationIdAsync(id))
        {
            statuses.Add(await tokens.GetStatusAsync(token));
        }

        return (id, await authorizations.GetStatusAsync(found[0]), statuses, found.Count);
    }
}

/// <summary>TokensFollowSessionsTests on SQLite.</summary>
public sealed class TokensFollowSessionsTestsOnSqlite(SqliteIdpFactory factory) : TokensFollowSessionsTests(factory), IClassFixture<SqliteIdpFactory>;

/// <summary>TokensFollowSessionsTests on PostgreSQL.</summary>
public sealed class TokensFollowSessionsTestsOnPostgreSql(PostgreSqlIdpFactory factory) : TokensFollowSessionsTests(factory), IClassFixture<PostgreSqlIdpFactory>;
