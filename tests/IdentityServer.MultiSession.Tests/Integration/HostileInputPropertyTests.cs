using System.Net;
using System.Text;
using System.Text.Json;
using CsCheck;
using IdentityServer.MultiSession.Storage;
using IdentityServer.MultiSession.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>
/// Generated hostile input at the JSON API and the picker (CsCheck): never a 5xx, never a change of state for a rejected
/// request, never a redirect that leaves the IdP. 2,400 generated inputs in all.
/// </summary>
public sealed class HostileInputPropertyTests(SqliteIdpFactory factory) : IClassFixture<SqliteIdpFactory>
{
    private const int Iterations = 600;

    private static readonly Gen<string> Printable = Gen.Char['!', '~'].Array[0, 120].Select(chars => new string(chars));

    private static readonly Gen<string> AnyText = Gen.OneOf(
        Printable,
        Gen.Char.Array[0, 60].Select(chars => new string(chars)),
        Gen.Char["-_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"].Array[22].Select(c => new string(c)),
        Gen.Char["-_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"].Array[43].Select(c => new string(c)),
        Gen.Int[0, 12_000].Select(n => new string('A', n)));

    private async Task<string> StateAsync() => await factory.WithDatabaseAsync(async db =>
    {
        var devices = await db.Set<DeviceEntity>().OrderBy(d => d.Id).Select(d => d.Id + ":" + d.ActiveSessionId).ToListAsync();
        var sessions = await db.Set<DeviceSessionEntity>().OrderBy(s => s.Id).Select(s => s.Id + ":" + s.DeviceId).ToListAsync();
        return string.Join(",", devices) + "|" + string.Join(",", sessions);
    });

    private static void AssertNo5xx(HttpResponseMessage response, string input) =>
        Assert.True((int)response.StatusCode < 500, $"{(int)response.StatusCode} for input {JsonSerializer.Serialize(input)}");

    [Fact]
    public async Task Generated_device_cookies_never_give_a_5xx_and_never_name_a_device()
    {
        var victim = factory.CreateBrowser();
        await victim.SignInOkAsync("alice", "bob");
        var state = await StateAsync();
        using var client = factory.CreateDefaultClient(new Uri("http://localhost"));

        await AnyText.SampleAsync(async cookie =>
        {
            using var list = new HttpRequestMessage(HttpMethod.Get, "/multi-session/list-device-sessions");
            list.Headers.TryAddWithoutValidation("Cookie", $"{MultiSessionDefaults.DevelopmentDeviceCookieName}={cookie}");
            using var response = await client.SendAsync(list);
            AssertNo5xx(response, cookie);
            Assert.Equal("[]", await response.Content.ReadAsStringAsync());

            using var revoke = new HttpRequestMessage(HttpMethod.Post, "/multi-session/sign-out");
            revoke.Headers.TryAddWithoutValidation("Cookie", $"{MultiSessionDefaults.DevelopmentDeviceCookieName}={cookie}");
            using var signOut = await client.SendAsync(revoke);
            AssertNo5xx(signOut, cookie);
        }, iter: Iterations, threads: 1);

        Assert.Equal(state, await StateAsync());
    }

    [Fact]
    public async Task Generated_session_handles_are_rejected_without_a_5xx_or_a_change_of_state()
    {
        var browser = factory.CreateBrowser();
        var other = factory.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        await other.SignInOkAsync("carol");
        var foreign = (await other.ListAsync())[0].GetProperty("sessionToken").GetString()!;
        var handles = Gen.OneOf(AnyText, Gen.Const(foreign), Gen.Const(string.Empty));
        var state = await StateAsync();

        await handles.SampleAsync(async handle =>
        {
            foreach (var path in new[] { "/multi-session/set-active", "/multi-session/revoke" })
            {
                using var response = await browser.PostJsonAsync(path, JsonSerializer.Serialize(new { sessionToken = handle }));
                AssertNo5xx(response, handle);
                Assert.True(response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge, $"{(int)response.StatusCode} for {handle}");
            }
        }, iter: Iterations, threads: 1);

        Assert.Equal(state, await StateAsync());
    }

    [Fact]
    public async Task Generated_bodies_are_rejected_without_a_5xx_or_a_change_of_state()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        var valid = (await browser.SessionOfAsync("alice@example.com")).GetProperty("sessionToken").GetString()!;
        var bodies = Gen.OneOf(
            AnyText,
            Gen.Select(Printable, Printable, (name, value) => JsonSerializer.Serialize(new Dictionary<string, string> { [name] = value })),
            Gen.Select(Printable, name => $"{{\"sessionToken\":\"{valid}\",{JsonSerializer.Serialize(name)}:1}}"),
            Gen.Int.Select(n => $"{{\"sessionToken\":{n}}}"),
            Gen.Int[1, 200].Select(depth => new string('[', depth) + new string(']', depth)));
        var contentTypes = Gen.OneOf(Gen.Const("application/json"), Gen.Const("text/plain"), Gen.Const("application/x-www-form-urlencoded"), Printable);
        var state = await StateAsync();

        await Gen.Select(bodies, contentTypes).SampleAsync(async (body, contentType) =>
        {
            HttpResponseMessage response;
            try
            {
                response = await browser.PostJsonAsync("/multi-session/set-active", body, contentType);
            }
            catch (FormatException)
            {
                // The client refused to send that content type at all; nothing reached the server.
                return;
            }

            using (response)
            {
                AssertNo5xx(response, contentType + " " + body);
                Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
            }
        }, iter: Iterations, threads: 1);

        Assert.Equal(state, await StateAsync());
    }

    [Fact]
    public async Task Generated_picker_posts_never_give_a_5xx_never_leave_the_idp_and_change_nothing_when_rejected()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        var picker = await PickerPage.OpenAsync(browser);
        var form = picker.SignOutForm("alice@example.com");
        var handlers = Gen.OneOf(Gen.Const("SignOut"), Gen.Const("Use"));
        var state = await StateAsync();

        await Gen.Select(AnyText, AnyText, handlers).SampleAsync(async (token, returnUrl, handler) =>
        {
            var fields = new Dictionary<string, string>
            {
                ["sessionToken"] = token,
                ["returnUrl"] = returnUrl,
                ["__RequestVerificationToken"] = form.QuerySelector<IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value,
            };
            using var response = await browser.Client.PostAsync($"/MultiSession/Accounts?handler={handler}", new FormUrlEncodedContent(fields));
            AssertNo5xx(response, token + " " + returnUrl);
            if (response.Headers.Location is { } location)
            {
                var text = location.OriginalString;
                Assert.True(text.StartsWith('/') && !text.StartsWith("//", StringComparison.Ordinal) && !text.StartsWith("/\\", StringComparison.Ordinal), text);
            }
            else
            {
                Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            }
        }, iter: Iterations, threads: 1);

        Assert.Equal(state, await StateAsync());
    }
}
