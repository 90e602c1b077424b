using System.Net;
using System.Text;
using CsCheck;
using IdentityServer.MultiSession.Storage;
using IdentityServer.MultiSession.Tests.Infrastructure;
using IdpHost.Data;
using Microsoft.EntityFrameworkCore;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>
/// Generated arbitrary BYTES (not only valid strings), sent through a raw socket to the real host on Kestrel where an HTTP
/// client would refuse to send them: in JSON bodies, form fields, query strings and cookie values. Never a 5xx, never a
/// redirect that leaves the IdP, never a change of state for a rejected request.
/// </summary>
public sealed class HostileBytesPropertyTests(KestrelIdpFactory factory) : IClassFixture<KestrelIdpFactory>
{
    private const int Iterations = 200;

    /// <summary>Any bytes.</summary>
    private static readonly Gen<byte[]> AnyBytes = Gen.OneOf(
        Gen.Byte.Array[0, 80],
        Gen.Byte[0x80, 0xFF].Array[1, 12],
        Gen.Const(new byte[] { 0xFF, 0xFE }),
        Gen.Const(new byte[] { 0xC3, 0xA9 }),
        Gen.Const(new byte[] { 0xED, 0xA0, 0x80 }));

    /// <summary>Bytes that keep the request's framing (no CR or LF), for the request line and headers.</summary>
    private static readonly Gen<byte[]> LineBytes = AnyBytes.Select(b => b.Where(x => x is not (byte)'\r' and not (byte)'\n').ToArray());

    /// <summary>Bytes as they are, or each one percent-encoded (which reaches the application past the server's own checks).</summary>
    private static readonly Gen<byte[]> FieldBytes = Gen.Select(AnyBytes, Gen.Bool, (bytes, encode) => encode ? PercentEncode(bytes) : bytes);

    /// <summary>Return URLs: any bytes, or a local path followed by any bytes (the case that reaches a redirect).</summary>
    private static readonly Gen<byte[]> ReturnUrlBytes = Gen.OneOf(FieldBytes, FieldBytes.Select(b => Concat(Ascii("%2F"), b)), AnyBytes.Select(b => Concat(Ascii("/"), b)));

    private static byte[] PercentEncode(byte[] bytes) => Encoding.ASCII.GetBytes(string.Concat(bytes.Select(b => $"%{b:X2}")));

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    private static string Show(byte[] bytes) => Convert.ToHexString(bytes);

    private async Task<string> StateAsync() => await factory.WithDatabaseAsync(async db =>
    {
        var devices = await db.Set<DeviceEntity>().OrderBy(d => d.Id).Select(d => d.Id + ":" + d.ActiveSessionId).ToListAsync();
        var sessions = await db.Set<DeviceSessionEntity>().OrderBy(s => s.Id).Select(s => s.Id + ":" + s.DeviceId).ToListAsync();
        return string.Join(",", devices) + "|" + string.Join(",", sessions);
    });

    /// <summary>A real browser signed in as <paramref name="users"/>; returns its cookie header and the picker's antiforgery token.</summary>
    private async Task<(byte[] Cookie, string PickerToken)> SignedInDeviceAsync(params string[] users)
    {
        var (cookie, token, _) = await SignedInDeviceWithHandleAsync(users);
        return (cookie, token);
    }

    /// <summary>As <see cref="SignedInDeviceAsync"/>, and the session handle of the active account.</summary>
    private async Task<(byte[] Cookie, string PickerToken, string ActiveHandle)> SignedInDeviceWithHandleAsync(params string[] users)
    {
        var cookies = new CookieContainer();
        using var client = factory.CreateSocketClient(cookies);
        foreach (var user in users)
        {
            var login = TestBrowser.Parse(await client.GetStringAsync("/Account/Login"));
            var token = login.QuerySelector<IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value;
            using var response = await client.PostAsync("/Account/Login", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = token,
                ["Input.UserName"] = user,
                ["Input.Password"] = DemoUsers.Password,
            }));
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        }

        var picker = TestBrowser.Parse(await client.GetStringAsync("/MultiSession/Accounts"));
        using var list = System.Text.Json.JsonDocument.Parse(await client.GetStringAsync("/multi-session/list-device-sessions"));
        var active = list.RootElement.EnumerateArray().Single(e => e.GetProperty("active").GetBoolean()).GetProperty("sessionToken").GetString()!;
        return (Ascii(cookies.GetCookieHeader(factory.BaseUri)), picker.QuerySelector<IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value, active);
    }

    private void AssertNo5xx(int status, string what) =>
        Assert.True(status < 500, $"{status} for {what}; the host logged: {factory.Log.Entries.LastOrDefault(e => e.StartsWith("Error", StringComparison.Ordinal))}");

    private static void AssertStaysOnTheIdp(string head, string what)
    {
        var location = head.Split("\r\n").FirstOrDefault(l => l.StartsWith("Location:", StringComparison.OrdinalIgnoreCase))?["Location:".Length..].Trim();
        if (location is null)
        {
            return;
        }

        Assert.True(location.All(c => c is > ' ' and < (char)0x7F), $"Location {location} is not plain ASCII ({what})");
        Assert.True(location.StartsWith('/') && !location.StartsWith("//", StringComparison.Ordinal) && !location.StartsWith("/\\", StringComparison.Ordinal),
            $"Location {location} leaves the IdP ({what})");
    }

    [Fact]
    public async Task Arbitrary_bytes_in_json_bodies_never_give_a_5xx_or_a_change_of_state()
    {
        var (cookie, _) = await SignedInDeviceAsync("alice", "bob");
        var bodies = Gen.OneOf(
            AnyBytes,
            AnyBytes.Select(b => Concat(Ascii("{\"sessionToken\":\""), b, Ascii("\"}"))),
            AnyBytes.Select(b => Concat(Ascii("{\""), b, Ascii("\":\"x\"}"))));
        var paths = Gen.OneOf(Gen.Const("/multi-session/set-active"), Gen.Const("/multi-session/revoke"));
        var state = await StateAsync();

        await Gen.Select(bodies, paths).SampleAsync(async (body, path) =>
        {
            var (status, _) = await factory.SendRawAsync(factory.Request("POST", Ascii(path), [("Cookie", cookie), ("Content-Type", Ascii("application/json"))], body));
            AssertNo5xx(status, path + " " + Show(body));
            Assert.True(status is 400 or 404 or 413, $"{status} for {path} {Show(body)}");
        }, iter: Iterations, threads: 1);

        Assert.Equal(state, await StateAsync());
    }

    [Fact]
    public async Task Invalid_utf8_inside_a_json_string_gets_400_problem_details()
    {
        var (cookie, _) = await SignedInDeviceAsync("carol");
        foreach (var path in new[] { "/multi-session/set-active", "/multi-session/revoke" })
        {
            var body = Concat(Ascii("{\"sessionToken\":\""), [0xFF, 0xFE], Ascii("\"}"));
            var (status, head) = await factory.SendRawAsync(factory.Request("POST", Ascii(path), [("Cookie", cookie), ("Content-Type", Ascii("application/json"))], body));
            Assert.Equal(400, status);
            Assert.Contains("application/problem+json", head, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Arbitrary_bytes_in_login_form_fields_never_give_a_5xx_and_redirect_only_within_the_idp()
    {
        var cookies = new CookieContainer();
        using var client = factory.CreateSocketClient(cookies);
        var login = TestBrowser.Parse(await client.GetStringAsync("/Account/Login"));
        var token = Ascii(Uri.EscapeDataString(login.QuerySelector<IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value));
        var cookie = Ascii(cookies.GetCookieHeader(factory.BaseUri));
        var rightPassword = Ascii(Uri.EscapeDataString(DemoUsers.Password));

        // Unknown users with any password, and alice with her right password and any return URL (a committed sign-in
        // must still redirect, inside the IdP, with a header that can be written).
        var users = Gen.OneOf(FieldBytes.Select(b => (User: b, Password: (byte[]?)null)), Gen.Const((User: Ascii("alice"), Password: (byte[]?)rightPassword)));
        await Gen.Select(users, FieldBytes, ReturnUrlBytes).SampleAsync(async (user, password, returnUrl) =>
        {
            var body = Concat(Ascii("__RequestVerificationToken="), token, Ascii("&Input.UserName="), user.User,
                Ascii("&Input.Password="), user.Password ?? password, Ascii("&ReturnUrl="), returnUrl);
            var (status, head) = await factory.SendRawAsync(factory.Request("POST", Ascii("/Account/Login"),
                [("Cookie", cookie), ("Content-Type", Ascii("application/x-www-form-urlencoded"))], body));
            var what = Show(body);
            AssertNo5xx(status, what);
            AssertStaysOnTheIdp(head, what);
        }, iter: Iterations, threads: 1);
    }

    [Fact]
    public async Task Arbitrary_bytes_in_picker_form_fields_never_give_a_5xx_leave_the_idp_or_change_state()
    {
        var (cookie, pickerToken, active) = await SignedInDeviceWithHandleAsync("dave", "erin");
        var token = Ascii(Uri.EscapeDataString(pickerToken));

        // Any handle with either handler, or the active account's own handle with "Use" (which reaches the redirect and
        // changes nothing: it is already active).
        var posts = Gen.OneOf(
            Gen.Select(FieldBytes, Gen.OneOf(Gen.Const("Use"), Gen.Const("SignOut"))),
            Gen.Const((Ascii(active), "Use")));
        var state = await StateAsync();

        await Gen.Select(posts, ReturnUrlBytes).SampleAsync(async (post, returnUrl) =>
        {
            var (sessionToken, handler) = post;
            var body = Concat(Ascii("__RequestVerificationToken="), token, Ascii("&sessionToken="), sessionToken, Ascii("&returnUrl="), returnUrl);
            var (status, head) = await factory.SendRawAsync(factory.Request("POST", Ascii($"/MultiSession/Accounts?handler={handler}"),
                [("Cookie", cookie), ("Content-Type", Ascii("application/x-www-form-urlencoded"))], body));
            var what = handler + " " + Show(body);
            AssertNo5xx(status, what);
            AssertStaysOnTheIdp(head, what);
        }, iter: Iterations, threads: 1);

        Assert.Equal(state, await StateAsync());
    }

    [Fact]
    public async Task A_form_field_or_query_key_that_is_not_valid_jquery_syntax_is_ignored_not_a_5xx()
    {
        var (cookie, pickerToken, active) = await SignedInDeviceWithHandleAsync("bob");
        var body = Ascii($"__RequestVerificationToken={Uri.EscapeDataString(pickerToken)}&sessionToken={active}&returnUrl=%2F&p%5B6=1");
        var (status, head) = await factory.SendRawAsync(factory.Request("POST", Ascii("/MultiSession/Accounts?handler=Use"),
            [("Cookie", cookie), ("Content-Type", Ascii("application/x-www-form-urlencoded"))], body));
        Assert.Equal(302, status);
        AssertStaysOnTheIdp(head, "picker");

        var (login, _) = await factory.SendRawAsync(factory.Request("GET", Ascii("/Account/Login?x[y=1"), []));
        Assert.Equal(200, login);
    }

    [Fact]
    public async Task Arbitrary_bytes_in_query_strings_never_give_a_5xx()
    {
        var (cookie, _) = await SignedInDeviceAsync("frank");
        var targets = Gen.OneOf(
            Gen.Const("/Account/Login?ReturnUrl="),
            Gen.Const("/Account/Login?login_hint="),
            Gen.Const("/MultiSession/Accounts?returnUrl="),
            Gen.Const("/multi-session/list-device-sessions?"),
            Gen.Const("/Account/Login?"),
            Gen.Const("/MultiSession/Accounts?"),
            Gen.Const("/Account/Login?x["),
            Gen.Const($"/connect/authorize?client_id={IdpFactory.ClientId}&redirect_uri={Uri.EscapeDataString(IdpFactory.RedirectUri)}&response_type=code&scope=openid&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256&login_hint="),
            Gen.Const($"/connect/authorize?client_id={IdpFactory.ClientId}&redirect_uri={Uri.EscapeDataString(IdpFactory.RedirectUri)}&response_type=code&scope=openid&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256&prompt="));
        var values = Gen.OneOf(LineBytes.Select(b => b.Where(x => x is not (byte)' ' and not (byte)'#').ToArray()), AnyBytes.Select(PercentEncode));
        var withCookie = Gen.Bool;

        await Gen.Select(targets, values, withCookie).SampleAsync(async (target, value, sendCookie) =>
        {
            var headers = sendCookie ? new[] { ("Cookie", cookie) } : [];
            var (status, _) = await factory.SendRawAsync(factory.Request("GET", Concat(Ascii(target), value), headers));
            AssertNo5xx(status, target + Show(value));
        }, iter: Iterations, threads: 1);
    }

    [Fact]
    public async Task Arbitrary_bytes_in_cookie_values_never_give_a_5xx_or_a_change_of_state()
    {
        await SignedInDeviceAsync("alice");
        var names = Gen.OneOf(
            Gen.Const(MultiSessionDefaults.DevelopmentDeviceCookieName),
            Gen.Const(".AspNetCore.Antiforgery.x"),
            LineBytes.Select(b => Encoding.Latin1.GetString(b.Where(x => x is not (byte)'=' and not (byte)';').ToArray())));
        var paths = Gen.OneOf(Gen.Const("/"), Gen.Const("/multi-session/list-device-sessions"), Gen.Const("/MultiSession/Accounts"), Gen.Const("/Account/Login"));
        var state = await StateAsync();

        await Gen.Select(names, LineBytes, paths).SampleAsync(async (name, value, path) =>
        {
            var cookie = Concat(Encoding.Latin1.GetBytes(name + "="), value);
            var (status, _) = await factory.SendRawAsync(factory.Request("GET", Ascii(path), [("Cookie", cookie)]));
            AssertNo5xx(status, path + " " + Show(cookie));

            var (signOut, _) = await factory.SendRawAsync(factory.Request("POST", Ascii("/multi-session/sign-out"), [("Cookie", cookie)], []));
            AssertNo5xx(signOut, "sign-out " + Show(cookie));
        }, iter: Iterations, threads: 1);

        Assert.Equal(state, await StateAsync());
    }
}
