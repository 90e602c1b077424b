using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using IdpHost.Data;
using Microsoft.AspNetCore.WebUtilities;

namespace MultiSession.Bench;

/// <summary>What a sign-in through the login form came to.</summary>
internal enum SoakSignIn
{
    SignedIn,
    LimitReached,
    Refused,
    NoAnswer,
}

/// <summary>One entry of <c>GET /multi-session/list-device-sessions</c>.</summary>
internal sealed record SoakSession(string Token, string SessionId, string UserId, string LoginName, bool Active);

/// <summary>
/// A virtual browser of the soak, on one IdP instance (sticky, as behind a load balancer with affinity: each instance has its
/// own ephemeral signing keys): its own cookie jar, two connections (so that it can race two sign-ins), and a timeout on
/// every request. Every request's outcome goes to the <see cref="SoakLedger"/>. It loops through a cycle of what people do
/// with several accounts: fill the browser up to the limit (the last free slot taken by two sign-ins at once), try one more,
/// run a code flow for every account, switch, re-authenticate one account, revoke one or two, and now and then sign out of all.
/// </summary>
internal sealed partial class SoakBrowser : IDisposable
{
    public const string ClientId = "soak-client";
    public const string RedirectUri = "http://127.0.0.1/soak-callback";

    private const string SupersededText = "Another sign-in just finished in this browser";

    private readonly HttpClient _client;
    private readonly SoakLedger _ledger;
    private readonly int _instance;
    private readonly int _limit;
    private readonly TimeSpan _requestTimeout;
    private readonly Random _random;
    private int _cycles;

    public SoakBrowser(Uri baseAddress, int instance, int limit, TimeSpan requestTimeout, SoakLedger ledger, int seed)
    {
        _instance = instance;
        _limit = limit;
        _requestTimeout = requestTimeout;
        _ledger = ledger;
        _random = new Random(seed);
        var handler = new SocketsHttpHandler
        {
            CookieContainer = new CookieContainer(),
            UseCookies = true,
            AllowAutoRedirect = false,
            MaxConnectionsPerServer = 2,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            UseProxy = false,
        };
        _client = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
        _client.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en");
    }

    /// <summary>Runs cycles until <paramref name="stop"/> is cancelled (the request in flight then completes or times out).</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (!await CycleAsync(stop))
                {
                    // No answer or an error page (an instance or the database down): wait a little before trying again.
                    await Task.Delay(TimeSpan.FromMilliseconds(500), stop);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
        }
    }

    private async Task<bool> CycleAsync(CancellationToken stop)
    {
        var sessions = await ListAsync(stop);
        if (sessions is null)
        {
            return false;
        }

        // 1. Up to the limit: one account after another, the last free slot by two sign-ins at once (at most one may take it).
        var others = DemoUsers.All.Select(u => u.UserName).Where(u => sessions.All(s => s.LoginName != u)).OrderBy(_ => _random.Next()).ToList();
        var count = sessions.Count;
        while (count < _limit - 1 && others.Count > 0)
        {
            var result = await SignInAsync(Take(others), stop);
            if (result == SoakSignIn.SignedIn)
            {
                count++;
            }
            else if (result != SoakSignIn.LimitReached)
            {
                return false;
            }
            else
            {
                break;
            }
        }

        if (count == _limit - 1 && others.Count >= 2)
        {
            var race = await Task.WhenAll(SignInAsync(Take(others), stop), SignInAsync(Take(others), stop));
            _ledger.Count(race.Count(r => r == SoakSignIn.SignedIn) switch { 2 => "race: both signed in", 1 => "race: one signed in", _ => "race: none signed in" });
        }

        // 2. At the limit, one more account must be refused.
        sessions = await ListAsync(stop);
        if (sessions is null)
        {
            return false;
        }

        var outsider = DemoUsers.All.Select(u => u.UserName).FirstOrDefault(u => sessions.All(s => s.LoginName != u));
        if (sessions.Count >= _limit && outsider is not null)
        {
            var result = await SignInAsync(outsider, stop);
            _ledger.Count(result switch
            {
                SoakSignIn.LimitReached => "sign-in above the limit refused",
                SoakSignIn.SignedIn => "sign-in above the limit ACCEPTED",
                _ => "sign-in above the limit: no answer or another error",
            });
        }

        // 3. A code flow for every account (login_hint names it); the ID token's sid must be that account's session id.
        foreach (var session in sessions)
        {
            var sid = await CodeFlowAsync(session.LoginName + "@example.com", stop);
            if (sid is null)
            {
                _ledger.Count("code flows failed");
                continue;
            }

            _ledger.Count("code flows");
            _ledger.SidsWithTokens.TryAdd(sid, 0);
            if (sid != session.SessionId)
            {
                _ledger.Count("code flows whose sid is not the account's session");
            }
        }

        // 4. Switch the active account twice.
        for (var i = 0; i < 2 && sessions.Count > 0; i++)
        {
            var body = await PostJsonAsync("/multi-session/set-active", Token(sessions[_random.Next(sessions.Count)]), stop);
            _ledger.Count(body?.Status == 200 ? "switches" : "switches failed");
        }

        // 5. Re-authenticate one account: renewed in place, the same session id.
        if (sessions.Count > 0)
        {
            var again = sessions[_random.Next(sessions.Count)];
            if (await SignInAsync(again.LoginName, stop) == SoakSignIn.SignedIn)
            {
                var after = await ListAsync(stop);
                var renewed = after?.FirstOrDefault(s => s.UserId == again.UserId);
                _ledger.Count(renewed is null ? "re-authentications not listed after" : renewed.SessionId == again.SessionId ? "re-authentications kept the sid" : "re-authentications CHANGED the sid");
                sessions = after ?? sessions;
            }
        }

        // 6. Revoke one or two accounts.
        var revokes = 1 + _random.Next(2);
        for (var i = 0; i < revokes && sessions.Count > 0; i++)
        {
            var victim = sessions[_random.Next(sessions.Count)];
            var answer = await PostJsonAsync("/multi-session/revoke", Token(victim), stop);
            if (answer?.Status == 200)
            {
                _ledger.Count("revokes");
                _ledger.EndedSids.TryAdd(victim.SessionId, 0);
                sessions = sessions.Where(s => s != victim).ToList();
            }
            else
            {
                _ledger.Count("revokes failed");
            }
        }

        // 7. Every third cycle: sign out of all accounts.
        if (++_cycles % 3 == 0)
        {
            var before = await ListAsync(stop);
            if (before is not null)
            {
                var answer = await SendAsync(HttpMethod.Post, "/multi-session/sign-out", null, stop);
                if (answer?.Status == 200)
                {
                    _ledger.Count("sign-outs of all accounts");
                    foreach (var session in before)
                    {
                        _ledger.EndedSids.TryAdd(session.SessionId, 0);
                    }
                }
                else
                {
                    _ledger.Count("sign-outs of all accounts failed");
                }
            }
        }

        _ledger.Count("cycles");
        return true;
    }

    private string Take(List<string> users)
    {
        var user = users[0];
        users.RemoveAt(0);
        return user;
    }

    private static string Token(SoakSession session) => "{\"sessionToken\":\"" + session.Token + "\"}";

    /// <summary>The device's accounts; checks the limit and one session per user on every list it is given.</summary>
    private async Task<List<SoakSession>?> ListAsync(CancellationToken stop)
    {
        var answer = await SendAsync(HttpMethod.Get, "/multi-session/list-device-sessions", null, stop);
        if (answer?.Status != 200)
        {
            return null;
        }

        using var json = JsonDocument.Parse(answer.Body);
        var sessions = json.RootElement.EnumerateArray().Select(e =>
        {
            var user = e.GetProperty("user");
            var email = user.GetProperty("email").GetString() ?? string.Empty;
            return new SoakSession(
                e.GetProperty("sessionToken").GetString()!,
                e.GetProperty("sessionId").GetString()!,
                user.GetProperty("id").GetString()!,
                email.Split('@')[0],
                e.GetProperty("active").GetBoolean());
        }).ToList();
        _ledger.Count("lists");
        _ledger.Max("most accounts in a list", sessions.Count);
        if (sessions.Count > _limit)
        {
            _ledger.Count("lists ABOVE the limit");
        }

        if (sessions.Select(s => s.UserId).Distinct(StringComparer.Ordinal).Count() != sessions.Count)
        {
            _ledger.Count("lists with a user TWICE");
        }

        return sessions;
    }

    private async Task<SoakSignIn> SignInAsync(string userName, CancellationToken stop)
    {
        var page = await SendAsync(HttpMethod.Get, "/Account/Login", null, stop);
        var token = page is { Status: 200 } ? AntiforgeryField().Match(page.Body) : null;
        if (token is not { Success: true })
        {
            return SoakSignIn.NoAnswer;
        }

        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.UserName"] = userName,
            ["Input.Password"] = DemoUsers.Password,
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value),
        });
        var answer = await SendAsync(HttpMethod.Post, "/Account/Login", form, stop);
        var result = answer switch
        {
            null => SoakSignIn.NoAnswer,
            { Status: 302 } => SoakSignIn.SignedIn,
            { Status: 200 } when answer.Body.Contains("class=\"ms-limit\"", StringComparison.Ordinal) => SoakSignIn.LimitReached,
            _ => SoakSignIn.Refused,
        };
        _ledger.Count(result switch
        {
            SoakSignIn.SignedIn => "sign-ins",
            SoakSignIn.LimitReached => "sign-ins refused at the limit",
            SoakSignIn.Refused when answer!.Status == 200 && answer.Body.Contains(SupersededText, StringComparison.Ordinal) => "sign-ins refused: another sign-in of the browser had just finished",
            SoakSignIn.Refused => $"sign-ins refused: HTTP {answer!.Status}",
            _ => "sign-ins without an answer",
        });
        return result;
    }

    /// <summary>Authorization code flow with PKCE and <c>login_hint</c>; returns the ID token's <c>sid</c>, or <c>null</c>.</summary>
    private async Task<string?> CodeFlowAsync(string loginHint, CancellationToken stop)
    {
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        var state = Base64Url(RandomNumberGenerator.GetBytes(12));
        var url = QueryHelpers.AddQueryString("/connect/authorize", new Dictionary<string, string?>
        {
            ["client_id"] = ClientId,
            ["redirect_uri"] = RedirectUri,
            ["response_type"] = "code",
            ["scope"] = "openid profile email",
            ["state"] = state,
            ["nonce"] = Base64Url(RandomNumberGenerator.GetBytes(12)),
            ["code_challenge"] = Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))),
            ["code_challenge_method"] = "S256",
            ["login_hint"] = loginHint,
        });
        var authorize = await SendAsync(HttpMethod.Get, url, null, stop);
        if (authorize is not { Status: 302, Location: { } location } || !location.OriginalString.StartsWith(RedirectUri, StringComparison.Ordinal))
        {
            return null;
        }

        var query = QueryHelpers.ParseQuery(location.Query);
        if (!query.TryGetValue("code", out var code) || !query.TryGetValue("state", out var echoed) || echoed != state)
        {
            return null;
        }

        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code.ToString(),
            ["redirect_uri"] = RedirectUri,
            ["client_id"] = ClientId,
            ["code_verifier"] = verifier,
        });
        var token = await SendAsync(HttpMethod.Post, "/connect/token", form, stop);
        if (token?.Status != 200)
        {
            return null;
        }

        using var json = JsonDocument.Parse(token.Body);
        return json.RootElement.TryGetProperty("id_token", out var idToken) ? SoakJwt.Claim(idToken.GetString()!, "sid") : null;
    }

    private async Task<SoakAnswer?> PostJsonAsync(string path, string json, CancellationToken stop)
    {
        using var content = new StringContent(json, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return await SendAsync(HttpMethod.Post, path, content, stop);
    }

    /// <summary>
    /// One request with its own timeout. Not sent once <paramref name="stop"/> is cancelled; a request in flight is never
    /// cancelled by it (it ends with its answer, a connection error or the timeout).
    /// </summary>
    private async Task<SoakAnswer?> SendAsync(HttpMethod method, string path, HttpContent? content, CancellationToken stop)
    {
        stop.ThrowIfCancellationRequested();
        var label = path.Split('?')[0];
        using var request = new HttpRequestMessage(method, path) { Content = content };
        using var timeout = new CancellationTokenSource(_requestTimeout);
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token);
            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            var status = (int)response.StatusCode;
            _ledger.Answered(_instance, status, Stopwatch.GetElapsedTime(started), method.Method, label);
            return new SoakAnswer(status, body, response.Headers.Location);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            _ledger.TimedOut(_instance, method.Method, label);
            return null;
        }
        catch (HttpRequestException exception)
        {
            _ledger.ConnectionError(_instance, method.Method, label, exception.HttpRequestError.ToString());
            return null;
        }
        catch (IOException exception)
        {
            _ledger.ConnectionError(_instance, method.Method, label, exception.GetType().Name);
            return null;
        }
    }

    public void Dispose() => _client.Dispose();

    private static string Base64Url(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    private sealed record SoakAnswer(int Status, string Body, Uri? Location);
}

/// <summary>Reads a claim or header member of a compact JWT without validating it (the receiver checks its shape).</summary>
internal static class SoakJwt
{
    public static string? Claim(string jwt, string name) => Member(jwt, 1, name);

    public static string? Header(string jwt, string name) => Member(jwt, 0, name);

    public static JsonDocument? Part(string jwt, int index)
    {
        var parts = jwt.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            return JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(parts[index]));
        }
        catch (Exception exception) when (exception is FormatException or JsonException)
        {
            return null;
        }
    }

    private static string? Member(string jwt, int index, string name)
    {
        using var part = Part(jwt, index);
        return part is not null && part.RootElement.ValueKind == JsonValueKind.Object && part.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
    }
}
