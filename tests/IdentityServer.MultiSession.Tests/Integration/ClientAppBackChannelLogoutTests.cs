using System.Net;
using System.Security.Claims;
using ClientApp;
using IdentityServer.MultiSession.Logout;
using IdentityServer.MultiSession.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>
/// The sample client app's back-channel logout endpoint against the real IdP: it reads the IdP's keys through the OIDC handler's
/// configuration, accepts the IdP's logout tokens, ends exactly the session they name, and refuses anything else with 400.
/// </summary>
public sealed class ClientAppBackChannelLogoutTests : IAsyncLifetime
{
    private const string ClientId = "demo-client";
    private const string Event = "http://schemas.openid.net/event/backchannel-logout";

    private readonly IdpFactory _idp = new();
    private ClientFactory _client = default!;
    private string _alice = default!;
    private string _bob = default!;

    public async Task InitializeAsync()
    {
        using (var discovery = await _idp.CreateClient().GetAsync("/.well-known/openid-configuration"))
        {
            Assert.Equal(HttpStatusCode.OK, discovery.StatusCode);
        }

        _client = new ClientFactory(_idp);
        _alice = await SessionAsync("sid-alice", "alice");
        _bob = await SessionAsync("sid-bob", "bob");
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _idp.DisposeAsync();
    }

    private SessionTicketStore Sessions => _client.Services.GetRequiredService<SessionTicketStore>();

    private Task<string> SessionAsync(string sid, string sub)
    {
        var identity = new ClaimsIdentity([new Claim("sid", sid), new Claim("sub", sub)], "test");
        return Sessions.StoreAsync(new AuthenticationTicket(new ClaimsPrincipal(identity), CookieAuthenticationDefaults.AuthenticationScheme));
    }

    private async Task<bool> AliveAsync(string key) => await Sessions.RetrieveAsync(key) is not null;

    private string IdpToken(string sid, string sub, string audience = ClientId) =>
        _idp.Services.GetRequiredService<ILogoutTokenIssuer>().CreateToken(new LogoutTokenRequest(sub, sid, audience, Guid.NewGuid().ToString("N")), out _)!;

    /// <summary>A token signed with the IdP's own key, with the claims and header a test chooses.</summary>
    private string Crafted(Action<Dictionary<string, object>> claims, string type = "logout+jwt", SigningCredentials? credentials = null, DateTimeOffset? issuedAt = null, DateTimeOffset? expires = null)
    {
        var now = issuedAt ?? DateTimeOffset.UtcNow;
        var payload = new Dictionary<string, object>
        {
            ["sub"] = "bob",
            ["sid"] = "sid-bob",
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["events"] = new Dictionary<string, object> { [Event] = new Dictionary<string, object>() },
        };
        claims(payload);
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            TokenType = type,
            Issuer = "http://localhost/",
            Audience = ClientId,
            IssuedAt = now.UtcDateTime,
            Expires = (expires ?? now.AddMinutes(2)).UtcDateTime,
            SigningCredentials = credentials ?? _idp.Services.GetRequiredService<IOptionsMonitor<OpenIddictServerOptions>>().CurrentValue.SigningCredentials.First(c => c.Key is AsymmetricSecurityKey),
            Claims = payload,
        });
    }

    private async Task<HttpStatusCode> PostAsync(string? token)
    {
        using var client = _client.CreateClient();
        var fields = token is null ? [] : new[] { KeyValuePair.Create("logout_token", token) };
        using var response = await client.PostAsync(BackChannelLogoutEndpoint.Path, new FormUrlEncodedContent(fields));
        return response.StatusCode;
    }

    [Fact]
    public async Task A_logout_token_from_the_IdP_ends_exactly_the_session_with_its_sid()
    {
        Assert.Equal(HttpStatusCode.OK, await PostAsync(IdpToken("sid-bob", "bob")));

        Assert.False(await AliveAsync(_bob));
        Assert.True(await AliveAsync(_alice));
    }

    [Fact]
    public async Task A_logout_token_received_a_second_time_is_refused()
    {
        var token = IdpToken("sid-bob", "bob");
        Assert.Equal(HttpStatusCode.OK, await PostAsync(token));
        var again = await SessionAsync("sid-bob", "bob");

        Assert.Equal(HttpStatusCode.BadRequest, await PostAsync(token));
        Assert.True(await AliveAsync(again));
    }

    public static TheoryData<string> WrongTokens => new()
    {
        "another audience", "another key", "typ JWT", "no events", "events without the back-channel member", "a nonce",
        "neither sid nor sub", "expired", "issued long ago", "no jti", "not a JWT", "none",
    };

    [Theory]
    [MemberData(nameof(WrongTokens))]
    public async Task A_wrong_logout_token_gets_400_and_ends_no_session(string wrong)
    {
        var token = wrong switch
        {
            "another audience" => IdpToken("sid-bob", "bob", audience: "client-b"),
            "another key" => Crafted(_ => { }, credentials: new SigningCredentials(new RsaSecurityKey(System.Security.Cryptography.RSA.Create(2048)) { KeyId = "other" }, SecurityAlgorithms.RsaSha256)),
            "typ JWT" => Crafted(_ => { }, type: "JWT"),
            "no events" => Crafted(c => c.Remove("events")),
            "events without the back-channel member" => Crafted(c => c["events"] = new Dictionary<string, object> { ["http://example.com/other"] = new Dictionary<string, object>() }),
            "a nonce" => Crafted(c => c["nonce"] = "n"),
            "neither sid nor sub" => Crafted(c => { c.Remove("sid"); c.Remove("sub"); }),
            "expired" => Crafted(_ => { }, issuedAt: DateTimeOffset.UtcNow.AddMinutes(-4), expires: DateTimeOffset.UtcNow.AddMinutes(-2)),
            "issued long ago" => Crafted(_ => { }, issuedAt: DateTimeOffset.UtcNow.AddHours(-1), expires: DateTimeOffset.UtcNow.AddMinutes(2)),
            "no jti" => Crafted(c => c.Remove("jti")),
            "not a JWT" => "not-a-token",
            _ => null,
        };

        Assert.Equal(HttpStatusCode.BadRequest, await PostAsync(token));
        Assert.True(await AliveAsync(_bob));
        Assert.True(await AliveAsync(_alice));
    }

    /// <summary>The client app in memory, reading the IdP's discovery document and keys from the in-memory IdP.</summary>
    private sealed class ClientFactory(IdpFactory idp) : WebApplicationFactory<ClientApp.Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Development");
            builder.UseSetting("Oidc:Authority", "http://localhost");
            builder.UseSetting("Oidc:ClientId", ClientId);
            builder.UseSetting("Oidc:RequireHttpsMetadata", "false");
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            builder.ConfigureTestServices(services => services.Configure<OpenIdConnectOptions>(
                OpenIdConnectDefaults.AuthenticationScheme,
                options => options.BackchannelHttpHandler = idp.Server.CreateHandler()));
        }
    }
}
