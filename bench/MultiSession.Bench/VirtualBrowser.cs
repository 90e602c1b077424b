using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;

namespace MultiSession.Bench;

/// <summary>
/// One browser: its own cookie jar and connection, no automatic redirects. Signs in through the login form (with its
/// antiforgery token), runs the authorization code flow with PKCE as a public client, refreshes, requests pages and switches
/// accounts with the JSON API.
/// </summary>
internal sealed partial class VirtualBrowser : IDisposable
{
    private readonly HttpClient _client;
    private int _next;

    public VirtualBrowser(Uri baseAddress)
    {
        BaseAddress = baseAddress;
        var handler = new SocketsHttpHandler
        {
            CookieContainer = Cookies,
            UseCookies = true,
            AllowAutoRedirect = false,
            MaxConnectionsPerServer = 1,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(30),
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            UseProxy = false,
        };
        _client = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    public Uri BaseAddress { get; }

    public CookieContainer Cookies { get; } = new();

    /// <summary>The accounts signed in on this browser (user names), in sign-in order.</summary>
    public List<string> Accounts { get; } = [];

    /// <summary>The session handles of the accounts (multi-session only), for switching.</summary>
    public List<string> SessionTokens { get; } = [];

    /// <summary>The current refresh token, for the refresh scenario.</summary>
    public string? RefreshToken { get; set; }

    /// <summary>Signs in through the login form; the account is added to the browser (multi-session) or replaces it (baseline).</summary>
    public async Task SignInAsync(string userName, string password)
    {
        using var page = await _client.GetAsync("/Account/Login");
        var html = await page.Content.ReadAsStringAsync();
        var token = AntiforgeryField().Match(html);
        if (page.StatusCode != HttpStatusCode.OK || !token.Success)
        {
            throw new InvalidOperationException($"The login page answered {(int)page.StatusCode} without an antiforgery token.");
        }

        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.UserName"] = userName,
            ["Input.Password"] = password,
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value),
        });
        using var response = await _client.PostAsync("/Account/Login", form);
        if (response.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"Signing in {userName} answered {(int)response.StatusCode}.");
        }

        Accounts.Add(userName);
    }

    /// <summary>Reads the session handles from <c>GET /multi-session/list-device-sessions</c>.</summary>
    public async Task LoadSessionTokensAsync()
    {
        using var response = await _client.GetAsync("/multi-session/list-device-sessions");
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        SessionTokens.Clear();
        SessionTokens.AddRange(json.RootElement.EnumerateArray().Select(e => e.GetProperty("sessionToken").GetString()!));
    }

    /// <summary>The next account to name in <c>login_hint</c>: the accounts of the browser in turn.</summary>
    public string NextLoginHint() => Accounts[_next++ % Accounts.Count] + "@example.com";

    /// <summary>
    /// One authorization code flow with PKCE: <c>GET /connect/authorize</c> with <c>login_hint</c> (302 to the client with a code),
    /// then the code redeemed at <c>POST /connect/token</c>. Returns the token response, or <c>null</c> on any failure.
    /// </summary>
    public async Task<JsonDocument?> CodeFlowAsync(string loginHint)
    {
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        var state = Base64Url(RandomNumberGenerator.GetBytes(12));
        var url = QueryHelpers.AddQueryString("/connect/authorize", new Dictionary<string, string?>
        {
            ["client_id"] = IdpServer.ClientId,
            ["redirect_uri"] = IdpServer.RedirectUri,
            ["response_type"] = "code",
            ["scope"] = "openid profile email offline_access",
            ["state"] = state,
            ["nonce"] = Base64Url(RandomNumberGenerator.GetBytes(12)),
            ["code_challenge"] = Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))),
            ["code_challenge_method"] = "S256",
            ["login_hint"] = loginHint,
        });

        string? code;
        using (var authorize = await _client.GetAsync(url))
        {
            await authorize.Content.ReadAsByteArrayAsync();
            var location = authorize.Headers.Location;
            if (authorize.StatusCode != HttpStatusCode.Redirect || location is null
                || !location.OriginalString.StartsWith(IdpServer.RedirectUri, StringComparison.Ordinal))
            {
                return null;
            }

            var query = QueryHelpers.ParseQuery(location.Query);
            code = query.TryGetValue("code", out var value) && query.TryGetValue("state", out var echoed) && echoed == state ? value.ToString() : null;
        }

        if (code is null)
        {
            return null;
        }

        return await TokenAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = IdpServer.RedirectUri,
            ["client_id"] = IdpServer.ClientId,
            ["code_verifier"] = verifier,
        });
    }

    /// <summary>One refresh-token grant with <see cref="RefreshToken"/>, keeping the rotated refresh token. <c>false</c> on failure.</summary>
    public async Task<bool> RefreshAsync()
    {
        using var tokens = await TokenAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = RefreshToken ?? string.Empty,
            ["client_id"] = IdpServer.ClientId,
        });
        if (tokens is null)
        {
            return false;
        }

        if (tokens.RootElement.TryGetProperty("refresh_token", out var rotated))
        {
            RefreshToken = rotated.GetString();
        }

        return true;
    }

    /// <summary>An authenticated IdP page: <c>GET /Account/Profile</c> (an <c>[Authorize]</c> Razor page that does no work of its own).</summary>
    public async Task<bool> ProfileAsync()
    {
        using var response = await _client.GetAsync("/Account/Profile");
        await response.Content.ReadAsByteArrayAsync();
        return response.StatusCode == HttpStatusCode.OK;
    }

    /// <summary>Switches the active account to the next one with <c>POST /multi-session/set-active</c>.</summary>
    public async Task<bool> SwitchAccountAsync()
    {
        var token = SessionTokens[_next++ % SessionTokens.Count];
        using var content = new StringContent("{\"sessionToken\":\"" + token + "\"}", Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await _client.PostAsync("/multi-session/set-active", content);
        await response.Content.ReadAsByteArrayAsync();
        return response.StatusCode == HttpStatusCode.OK;
    }

    /// <summary>A browser on <paramref name="baseAddress"/> holding a copy of this browser's cookies (its own jar from then on).</summary>
    public VirtualBrowser CopyTo(Uri baseAddress)
    {
        var copy = new VirtualBrowser(baseAddress);
        foreach (Cookie cookie in Cookies.GetAllCookies())
        {
            copy.Cookies.Add(new Cookie(cookie.Name, cookie.Value, cookie.Path, cookie.Domain));
        }

        return copy;
    }

    /// <summary>Revokes the first session of the device's list with <c>POST /multi-session/revoke</c>.</summary>
    public async Task<bool> RevokeFirstSessionAsync()
    {
        await LoadSessionTokensAsync();
        using var content = new StringContent("{\"sessionToken\":\"" + SessionTokens[0] + "\"}", Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await _client.PostAsync("/multi-session/revoke", content);
        await response.Content.ReadAsByteArrayAsync();
        return response.StatusCode == HttpStatusCode.OK;
    }

    public void Dispose() => _client.Dispose();

    private async Task<JsonDocument?> TokenAsync(Dictionary<string, string> parameters)
    {
        using var form = new FormUrlEncodedContent(parameters);
        using var response = await _client.PostAsync("/connect/token", form);
        var body = await response.Content.ReadAsByteArrayAsync();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return null;
        }

        var json = JsonDocument.Parse(body);
        if (!json.RootElement.TryGetProperty("access_token", out _) || !json.RootElement.TryGetProperty("id_token", out _))
        {
            json.Dispose();
            return null;
        }

        return json;
    }

    private static string Base64Url(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
