using System.Net;
using IdentityServer.MultiSession.Tests.Infrastructure;
using Microsoft.AspNetCore.TestHost;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>
/// The sample exports the library's meter with OpenTelemetry's Prometheus exporter at <c>/metrics</c>, to local callers only
/// unless <c>Metrics:Prometheus:AllowRemote</c> is set.
/// </summary>
public sealed class MetricsEndpointTests : IDisposable
{
    private readonly IdpFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task After_a_sign_in_a_scrape_of_metrics_lists_the_meters_instruments_in_the_prometheus_format()
    {
        var browser = _factory.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");

        using var response = await browser.GetAsync("/metrics");
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        Assert.Contains("otel_scope_name=\"IdentityServer.MultiSession\"", body, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^multisession_sign_ins_total\{[^}]*\} 2(\s|$)", body);
        Assert.Matches(@"(?m)^multisession_accounts_per_device_count\{[^}]*\} 2(\s|$)", body);
        Assert.Contains("# TYPE multisession_logout_notifications_oldest_pending_age_seconds gauge", body, StringComparison.Ordinal);
        Assert.DoesNotContain("alice", body, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_scrape_from_another_machine_is_refused_unless_remote_scrapes_are_allowed()
    {
        using var response = await Scrape(_factory, "203.0.113.7");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);

        using var allowing = new IdpFactory();
        allowing.Settings["Metrics:Prometheus:AllowRemote"] = "true";
        using var allowed = await Scrape(allowing, "203.0.113.7");
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    private static async Task<HttpResponseMessage> Scrape(IdpFactory factory, string address)
    {
        var context = await factory.Server.SendAsync(c =>
        {
            c.Request.Method = "GET";
            c.Request.Path = "/metrics";
            c.Connection.RemoteIpAddress = System.Net.IPAddress.Parse(address);
        });
        var response = new HttpResponseMessage((HttpStatusCode)context.Response.StatusCode);
        return response;
    }
}
