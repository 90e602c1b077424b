using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityServer.MultiSession.Tests.Infrastructure;

/// <summary>
/// What a relying party and a resource server see of a set of tokens: refresh at the token endpoint, userinfo with the access
/// token, and introspection of the access token by the sample's demo API (its secret read from the host's configuration).
/// </summary>
public sealed class TokenProbe(IdpFactory factory, TokenResponse tokens)
{
    public const string ApiName = "demo-api";

    public TokenResponse Tokens { get; } = tokens;

    /// <summary>The status of a userinfo request with the access token.</summary>
    public async Task<HttpStatusCode> UserInfoAsync()
    {
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/connect/userinfo");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Tokens.AccessToken);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>The introspection answer for the access token, asked by the demo API.</summary>
    public async Task<JsonElement> IntrospectAsync(string? token = null)
    {
        using var client = factory.CreateClient();
        var secret = factory.Services.GetRequiredService<IConfiguration>()["Apis:0:Secret"]!;
        using var response = await client.PostAsync("/connect/introspect", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = token ?? Tokens.AccessToken!,
            ["client_id"] = ApiName,
            ["client_secret"] = secret,
        }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    public async Task<bool> IsActiveAsync() => (await IntrospectAsync()).GetProperty("active").GetBoolean();

    /// <summary>A refresh with the original refresh token.</summary>
    public async Task<TokenResponse> RefreshAsync()
    {
        using var client = factory.CreateClient();
        return await OidcClient.RefreshAsync(client, Tokens.RefreshToken!);
    }

    /// <summary>Asserts the three refusals of a token set whose session has ended.</summary>
    public async Task AssertRefusedAsync()
    {
        Assert.False(await IsActiveAsync(), "introspection still reports the access token active");
        Assert.Equal(HttpStatusCode.Unauthorized, await UserInfoAsync());
        var refreshed = await RefreshAsync();
        Assert.Equal(HttpStatusCode.BadRequest, refreshed.Status);
        Assert.Equal("invalid_grant", refreshed.Error);
    }

    /// <summary>Asserts that the token set still works everywhere.</summary>
    public async Task AssertAcceptedAsync()
    {
        Assert.True(await IsActiveAsync(), "introspection reports the access token inactive");
        Assert.Equal(HttpStatusCode.OK, await UserInfoAsync());
        Assert.Equal(HttpStatusCode.OK, (await RefreshAsync()).Status);
    }

    /// <summary>Runs the code flow for <paramref name="email"/> on <paramref name="browser"/>, with the demo API's scope.</summary>
    public static async Task<TokenProbe> ForAsync(TestBrowser browser, string email)
    {
        var client = new OidcClient(browser);
        var code = client.Code(await client.AuthorizeAsync(new Dictionary<string, string?>
        {
            ["login_hint"] = email,
            ["scope"] = "openid profile email offline_access api",
        }));
        var tokens = await client.ExchangeAsync(code);
        Assert.Equal(HttpStatusCode.OK, tokens.Status);
        return new TokenProbe(browser.Factory, tokens);
    }
}
