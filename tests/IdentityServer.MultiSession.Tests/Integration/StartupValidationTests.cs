using IdentityServer.MultiSession.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>A bad setting stops the host at start-up with a message that names it (BEHAVIOUR.md §8).</summary>
public sealed class StartupValidationTests
{
    private static Exception StartWith(string key, string value)
    {
        using var factory = new IdpFactory();
        factory.Settings[key] = value;
        return Assert.ThrowsAny<Exception>(() => factory.CreateClient());
    }

    private static string AllMessages(Exception exception)
    {
        var messages = new List<string>();
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            messages.Add(e.Message);
        }

        return string.Join(" | ", messages);
    }

    [Theory]
    [InlineData("MultiSession:MaximumSessions", "0", "MultiSession:MaximumSessions must be at least 1")]
    [InlineData("MultiSession:MaximumSessions", "-3", "MultiSession:MaximumSessions must be at least 1")]
    [InlineData("MultiSession:SlidingExpiration", "-1.00:00:00", "MultiSession:SlidingExpiration must be positive")]
    [InlineData("MultiSession:AbsoluteExpiration", "00:00:00", "MultiSession:AbsoluteExpiration must be positive")]
    [InlineData("MultiSession:CleanupInterval", "00:00:00", "MultiSession:CleanupInterval must be positive")]
    [InlineData("MultiSession:MetricsRefreshInterval", "00:00:00", "MultiSession:MetricsRefreshInterval must be positive")]
    [InlineData("MultiSession:RememberedAccountLifetime", "00:00:00", "MultiSession:RememberedAccountLifetime must be positive")]
    [InlineData("MultiSession:CookieName", "bad name;", "MultiSession:CookieName")]
    [InlineData("MultiSession:OnLimitReached", "Sometimes", "MultiSession:OnLimitReached must be one of 'Reject', 'EvictLeastRecentlyUsed' (was 'Sometimes')")]
    [InlineData("MultiSession:OnLimitReached", "1", "MultiSession:OnLimitReached must be one of 'Reject', 'EvictLeastRecentlyUsed' (was '1')")]
    [InlineData("MultiSession:EndSessionScope", "Everything", "MultiSession:EndSessionScope must be one of 'AllAccounts', 'HintedAccount' (was 'Everything')")]
    [InlineData("MultiSession:MaximumSessions", "five", "MultiSession:MaximumSessions")]
    [InlineData("MultiSession:ReauthenticateAfter", "-00:10:00", "MultiSession:ReauthenticateAfter must not be negative")]
    [InlineData("MultiSession:ReauthenticationPolicy", " ", "MultiSession:ReauthenticationPolicy must name an authorization policy")]
    [InlineData("Database:Provider", "Oracle", "Database:Provider must be 'Sqlite', 'SqlServer' or 'PostgreSQL'")]
    [InlineData("Database:Provider", "5", "Database:Provider must be 'Sqlite', 'SqlServer' or 'PostgreSQL'")]
    [InlineData("Database:Provider", "Sqlite,PostgreSQL", "Database:Provider must be 'Sqlite', 'SqlServer' or 'PostgreSQL'")]
    [InlineData("Clients:7:RedirectUris:0", "not a uri", "Clients:7:ClientId is required")]
    [InlineData("Clients:1:RedirectUris:0", "javascript:alert(1)", "Clients:1:RedirectUris:0 must be an absolute http(s) URI")]
    public void A_bad_setting_stops_the_host_with_a_message_that_names_it(string key, string value, string expected)
    {
        var exception = StartWith(key, value);
        Assert.Contains(expected, AllMessages(exception), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("PostgreSQL")]
    [InlineData("SqlServer")]
    public void A_server_database_without_a_connection_string_stops_the_host_with_a_message_that_names_it(string provider)
    {
        using var factory = new IdpFactory { Provider = provider, OmitConnectionString = true };
        var exception = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        Assert.Contains($"ConnectionStrings:DefaultConnection is required when Database:Provider is '{provider}'", AllMessages(exception), StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_setting_stops_the_host_before_the_database_is_created_or_migrated()
    {
        using var factory = new IdpFactory();
        factory.Settings["MultiSession:MaximumSessions"] = "0";
        var exception = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        Assert.Contains("MultiSession:MaximumSessions must be at least 1", AllMessages(exception), StringComparison.Ordinal);
        Assert.False(File.Exists(factory.DatabasePath), "The database file was created although the settings were refused.");
    }

    [Fact]
    public void Outside_development_the_host_refuses_to_start_without_configured_certificates()
    {
        using var factory = new IdpFactory { EnvironmentName = "Production" };
        factory.Settings["Oidc:UseEphemeralKeys"] = "false";
        var exception = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        Assert.Contains("Oidc:SigningCertificate:Path", AllMessages(exception), StringComparison.Ordinal);
    }

    [Fact]
    public void Outside_development_the_host_refuses_to_start_without_a_certificate_for_its_data_protection_keys()
    {
        using var factory = new IdpFactory { EnvironmentName = "Production" };
        factory.Settings["DataProtection:Certificate:Path"] = string.Empty;
        var exception = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        Assert.Contains("DataProtection:Certificate:Path", AllMessages(exception), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "Passkeys:Origin is required outside Development")]
    [InlineData("http://id.example.com", "Passkeys:Origin must be an https origin outside Development")]
    [InlineData("https://id.example.com/idp", "Passkeys:Origin must be an origin")]
    public void Outside_development_the_host_refuses_to_start_without_an_https_passkey_origin_and_names_the_setting(string origin, string expected)
    {
        using var factory = new IdpFactory { EnvironmentName = "Production" };
        factory.Settings["Passkeys:Origin"] = origin;
        var exception = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        Assert.Contains(expected, AllMessages(exception), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_configured_passkey_origin_binds_passkeys_to_its_host_and_an_answer_for_the_requests_own_host_is_refused()
    {
        using var factory = new IdpFactory { EnvironmentName = "Production" };
        factory.Settings["Passkeys:Origin"] = "https://id.example.com";
        factory.CreateClient().Dispose();
        var options = factory.Services.GetRequiredService<IOptions<IdentityPasskeyOptions>>().Value;
        Assert.Equal("id.example.com", options.ServerDomain);

        // A request that reached the IdP under another Host header (which the client chooses) does not move the origin.
        var context = new DefaultHttpContext();
        context.Request.Scheme = "https";
        context.Request.Host = new HostString("attacker.example");
        Assert.False(await options.ValidateOrigin!(new PasskeyOriginValidationContext { HttpContext = context, Origin = "https://attacker.example", CrossOrigin = false }));
        Assert.True(await options.ValidateOrigin!(new PasskeyOriginValidationContext { HttpContext = context, Origin = "https://id.example.com", CrossOrigin = false }));
        Assert.False(await options.ValidateOrigin!(new PasskeyOriginValidationContext { HttpContext = context, Origin = "https://id.example.com", CrossOrigin = true }));
    }
}
