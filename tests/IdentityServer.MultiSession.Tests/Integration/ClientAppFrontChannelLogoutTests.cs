using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using ClientApp;
using IdentityServer.MultiSession.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>
/// The sample client app's front-channel logout endpoint against the real IdP's discovery: a request with the IdP's issuer and
/// a <c>sid</c> ends exactly the local sessions with that <c>sid</c>; a wrong or missing <c>iss</c>, or no <c>sid</c>, gets 400
/// and ends nothing.
/// </summary>
public sealed class ClientAppFrontChannelLogoutTests : IAsyncLifetime
{
    private readonly IdpFactory _idp = new();
    private ClientFactory _client = default!;
    private string _issuer = default!;
    private string _alice = default!;
    private string _bob = default!;

    public async Task InitializeAsync()
    {
        var discovery = await _idp.CreateClient().GetFromJsonAsync<JsonElement>("/.well-known/openid-configuration");
        _issuer = discovery.GetProperty("issuer").GetString()!;
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

    private async Task<HttpStatusCode> GetAsync(string? iss, string? sid)
    {
        var query = new Dictionary<string, string?>();
        if (iss is not null)
        {
            query["iss"] = iss;
        }

        if (sid is not null)
        {
            query["sid"] = sid;
        }

        using var client = _client.CreateClient();
        using var response = await client.GetAsync(QueryHelpers.AddQueryString(FrontChannelLogoutEndpoint.Path, query));
        return response.StatusCode;
    }

    [Fact]
    public async Task A_request_with_the_idps_issuer_and_a_sid_ends_the_sessions_with_that_sid_only()
    {
        Assert.Equal(HttpStatusCode.OK, await GetAsync(_issuer, "sid-bob"));
        Assert.False(await AliveAsync(_bob));
        Assert.True(await AliveAsync(_alice));
    }

    [Theory]
    [InlineData("http://evil.example/", "sid-bob")]
    [InlineData(null, "sid-bob")]
    [InlineData("issuer", null)]
    [InlineData("issuer", "")]
    public async Task A_request_with_another_issuer_or_without_iss_or_sid_is_refused_and_ends_nothing(string? iss, string? sid)
    {
        Assert.Equal(HttpStatusCode.BadRequest, await GetAsync(iss == "issuer" ? _issuer : iss, sid));
        Assert.True(await AliveAsync(_bob));
        Assert.True(await AliveAsync(_alice));
    }

    private sealed class ClientFactory(IdpFactory idp) : WebApplicationFactory<ClientApp.Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Development");
            builder.UseSetting("Oidc:Authority", "http://localhost");
            builder.UseSetting("Oidc:ClientId", "demo-client");
            builder.UseSetting("Oidc:RequireHttpsMetadata", "false");
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            builder.ConfigureTestServices(services => services.Configure<OpenIdConnectOptions>(
                OpenIdConnectDefaults.AuthenticationScheme,
                options => options.BackchannelHttpHandler = idp.Server.CreateHandler()));
        }
    }
}
