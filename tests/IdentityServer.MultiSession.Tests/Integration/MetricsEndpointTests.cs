using System.Net;
using IdentityServer.MultiSession.Tests.Infrastructure;
using Microsoft.AspNetCore.TestHost;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>
/// The sample exports the library's meter with OpenTelemetry's Prometheus exporter at <c>/metrics</c>, to local callers only
/// unless <c>Metrics:Prometheus:AllowRemote</c> is set.
/// </summary>
/// <remarks>
/// OpenTelemetry's meter provider listens to every meter of the library's name in the process, whichever host created it;
/// these tests count exact figures, so they run alone, after the parallel tests (one IdP per process, as in production).
/// </remarks>
[Collection(MetricsEndpointTests.Collection)]
public sealed class MetricsEndpointTests : IDisposable
{
    /// <summary>The name of the collection that runs these tests alone.</summary>
    public const string Collection = "Metrics scrapes (not in parallel)";

    private readonly IdpFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task After_a_sign_in_a_scrape_of_metrics_lists_the_meters_instruments_in_the_prometheus_format()
    {
        var browser = _factory.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");

        var (status, contentType, body) = await Scrape(_factory, "127.0.0.1");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.StartsWith("text/plain", contentType, StringComparison.Ordinal);
        Assert.Contains("otel_scope_name=\"IdentityServer.MultiSession\"", body, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^multisession_sign_ins_total\{[^}]*\} 2(\s|$)", body);
        Assert.Matches(@"(?m)^multisession_accounts_per_device_count\{[^}]*\} 2(\s|$)", body);
        Assert.Contains("# TYPE multisession_logout_notifications_oldest_pending_age_seconds gauge", body, StringComparison.Ordinal);
        Assert.DoesNotContain("alice", body, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_scrape_from_another_machine_is_refused_unless_remote_scrapes_are_allowed()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await Scrape(_factory, "203.0.113.7")).Status);

        using var allowing = new IdpFactory();
        allowing.Settings["Metrics:Prometheus:AllowRemote"] = "true";
        Assert.Equal(HttpStatusCode.OK, (await Scrape(allowing, "203.0.113.7")).Status);
    }

    [Fact]
    public async Task A_scrape_without_a_client_address_is_not_taken_for_a_local_one()
    {
        // Kestrel on a Unix socket behind a proxy sees no client address: that is not proof of a local caller.
        Assert.Equal(HttpStatusCode.NotFound, (await Scrape(_factory, address: null)).Status);
    }

    private static async Task<(HttpStatusCode Status, string? ContentType, string Body)> Scrape(IdpFactory factory, string? address)
    {
        var context = await factory.Server.SendAsync(c =>
        {
            c.Request.Method = "GET";
            c.Request.Path = "/metrics";
            c.Connection.RemoteIpAddress = address is null ? null : System.Net.IPAddress.Parse(address);
        });
        var body = await new StreamReader(context.Response.Body).ReadToEndAsync();
        return ((HttpStatusCode)context.Response.StatusCode, context.Response.ContentType, body);
    }
}
