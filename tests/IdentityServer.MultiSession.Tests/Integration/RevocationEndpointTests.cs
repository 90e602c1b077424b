using System.Net;
using IdentityServer.MultiSession.Tests.Infrastructure;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>The sample's revocation endpoint (RFC 7009): a client revokes its own refresh token.</summary>
public sealed class RevocationEndpointTests(IdpFactory factory) : IClassFixture<IdpFactory>
{
    [Fact]
    public async Task A_client_revokes_its_refresh_token_and_the_token_can_no_longer_be_used_while_the_session_lives()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("erin");
        var probe = await TokenProbe.ForAsync(browser, "erin@example.com");

        using var client = factory.CreateClient();
        using var response = await client.PostAsync("/connect/revoke", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = probe.Tokens.RefreshToken!,
            ["token_type_hint"] = "refresh_token",
            ["client_id"] = IdpFactory.ClientId,
        }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var refused = await probe.RefreshAsync();
        Assert.Equal("invalid_grant", refused.Error);
        Assert.Single(await browser.ListAsync());
    }

    [Fact]
    public async Task The_discovery_document_advertises_the_revocation_and_introspection_endpoints()
    {
        using var client = factory.CreateClient();
        using var document = System.Text.Json.JsonDocument.Parse(await client.GetStringAsync("/.well-known/openid-configuration"));
        Assert.Equal("http://localhost/connect/revoke", document.RootElement.GetProperty("revocation_endpoint").GetString());
        Assert.Equal("http://localhost/connect/introspect", document.RootElement.GetProperty("introspection_endpoint").GetString());
    }
}
