using System.Net;
using System.Text.Json;
using IdentityServer.MultiSession.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenIddict.Server.AspNetCore;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>
/// An adopter who writes only the registration and the authorization endpoint: OpenIddict answers the token and userinfo
/// endpoints itself (no pass-through), and the library's rules hold the same (sid and auth_time in refreshed tokens, ended
/// sessions refused).
/// </summary>
public sealed class WithoutTokenPassthroughTests(WithoutTokenPassthroughTests.Factory factory) : IClassFixture<WithoutTokenPassthroughTests.Factory>
{
    [Fact]
    public async Task OpenIddicts_own_token_and_userinfo_endpoints_keep_the_sid_and_refuse_an_ended_session()
    {
        var server = factory.Services.GetRequiredService<IOptions<OpenIddictServerAspNetCoreOptions>>().Value;
        Assert.False(server.EnableTokenEndpointPassthrough || server.EnableUserInfoEndpointPassthrough, "the sample's own token and userinfo endpoints are still in use");
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        var alice = await TokenProbe.ForAsync(browser, "alice@example.com");
        var bob = await TokenProbe.ForAsync(browser, "bob@example.com");
        var aliceSid = (await browser.SessionOfAsync("alice@example.com")).GetProperty("sessionId").GetString();

        var refreshed = await alice.RefreshAsync();
        Assert.Equal(HttpStatusCode.OK, refreshed.Status);
        Assert.Equal(aliceSid, OidcClient.Read(refreshed.IdToken!).GetClaim("sid").Value);
        Assert.Equal(aliceSid, OidcClient.Read(refreshed.AccessToken!).GetClaim("sid").Value);
        Assert.True(OidcClient.Read(refreshed.AccessToken!).TryGetPayloadValue<long>("auth_time", out _));
        Assert.Equal(HttpStatusCode.OK, await alice.UserInfoAsync());

        var token = (await browser.SessionOfAsync("bob@example.com")).GetProperty("sessionToken").GetString();
        using (var revoke = await browser.PostJsonAsync("/multi-session/revoke", JsonSerializer.Serialize(new { sessionToken = token })))
        {
            Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        }

        await bob.AssertRefusedAsync();
    }

    public sealed class Factory : IdpFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services => services.Configure<OpenIddictServerAspNetCoreOptions>(options =>
            {
                options.EnableTokenEndpointPassthrough = false;
                options.EnableUserInfoEndpointPassthrough = false;
            }));
        }
    }
}
