using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IdentityServer.MultiSession.Tests.Infrastructure;

/// <summary>A public OIDC client doing the authorization code flow with PKCE against the test host.</summary>
public sealed class OidcClient
{
    public OidcClient(TestBrowser browser) => Browser = browser;

    public TestBrowser Browser { get; }

    public string State { get; } = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(16));

    public string Nonce { get; } = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(16));

    public string Verifier { get; } = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));

    public string AuthorizeUrl(IDictionary<string, string?>? extra = null)
    {
        var parameters = new Dictionary<string, string?>
        {
            ["client_id"] = IdpFactory.ClientId,
            ["redirect_uri"] = IdpFactory.RedirectUri,
            ["response_type"] = "code",
            ["scope"] = "openid profile email offline_access",
            ["state"] = State,
            ["nonce"] = Nonce,
            ["code_challenge"] = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(Verifier))),
            ["code_challenge_method"] = "S256",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            parameters[key] = value;
        }

        return QueryHelpers.AddQueryString("/connect/authorize", parameters);
    }

    /// <summary>Starts an authorization request and follows redirects inside the IdP.</summary>
    public async Task<HttpResponseMessage> AuthorizeAsync(IDictionary<string, string?>? extra = null) =>
        await Browser.FollowAsync(await Browser.GetAsync(AuthorizeUrl(extra)));

    /// <summary>The parameters of the redirect to the client's callback.</summary>
    public static Dictionary<string, string> Callback(HttpResponseMessage response)
    {
        Assert.True(TestBrowser.IsRedirect(response), $"Expected a redirect to the client, got {(int)response.StatusCode} {response.Headers.Location}");
        var location = response.Headers.Location!;
        Assert.StartsWith(IdpFactory.RedirectUri, location.ToString(), StringComparison.Ordinal);
        return QueryHelpers.ParseQuery(location.Query).ToDictionary(p => p.Key, p => p.Value.ToString());
    }

    /// <summary>Asserts the response is a redirect to the client with a code and the right state; returns the code.</summary>
    public string Code(HttpResponseMessage response)
    {
        var callback = Callback(response);
        Assert.False(callback.ContainsKey("error"), $"The client got an error: {callback.GetValueOrDefault("error")} {callback.GetValueOrDefault("error_description")}");
        Assert.Equal(State, callback["state"]);
        return callback["code"];
    }

    public async Task<TokenResponse> ExchangeAsync(string code, HttpClient? via = null)
    {
        using var response = await (via ?? Browser.Client).PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = IdpFactory.RedirectUri,
            ["client_id"] = IdpFactory.ClientId,
            ["code_verifier"] = Verifier,
        }));
        return await TokenResponse.ReadAsync(response);
    }

    public static async Task<TokenResponse> RefreshAsync(HttpClient client, string refreshToken)
    {
        using var response = await client.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refreshToken,
            ["client_id"] = IdpFactory.ClientId,
        }));
        return await TokenResponse.ReadAsync(response);
    }

    /// <summary>Validates an ID token's signature against the host's JWKS, its issuer, audience, lifetime and nonce.</summary>
    public async Task<JsonWebToken> ValidateIdTokenAsync(string idToken, HttpClient? via = null)
    {
        var jwks = new JsonWebKeySet(await (via ?? Browser.Client).GetStringAsync("/.well-known/jwks"));
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(idToken, new TokenValidationParameters
        {
            ValidIssuer = "http://localhost/",
            ValidAudience = IdpFactory.ClientId,
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidateLifetime = true,
        });
        Assert.True(result.IsValid, $"The ID token is not valid: {result.Exception?.Message}");
        var token = (JsonWebToken)result.SecurityToken;
        Assert.Equal(Nonce, token.GetClaim("nonce").Value);
        return token;
    }

    public static JsonWebToken Read(string jwt) => new(jwt);
}

public sealed record TokenResponse(HttpStatusCode Status, JsonElement Body)
{
    public string? IdToken => Body.TryGetProperty("id_token", out var v) ? v.GetString() : null;

    public string? AccessToken => Body.TryGetProperty("access_token", out var v) ? v.GetString() : null;

    public string? RefreshToken => Body.TryGetProperty("refresh_token", out var v) ? v.GetString() : null;

    public string? Error => Body.TryGetProperty("error", out var v) ? v.GetString() : null;

    public static async Task<TokenResponse> ReadAsync(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return new TokenResponse(response.StatusCode, document.RootElement.Clone());
    }
}
