using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using IdentityServer.MultiSession.Tests.Infrastructure;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>
/// One id to find a request in the log: the W3C trace id of the request's activity is in the library's event log lines, the
/// sample's audit lines, the 503 page, and the <c>traceId</c> of every problem details body, and they are the same.
/// </summary>
public sealed partial class TraceIdTests : IDisposable
{
    private const string TraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    private const string TraceParent = $"00-{TraceId}-00f067aa0ba902b7-01";

    private readonly FullLogIdpFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    private static void Traced(HttpRequestMessage request) => request.Headers.Add("traceparent", TraceParent);

    [Fact]
    public async Task The_trace_id_of_a_503_problem_is_the_one_in_the_logged_database_failure()
    {
        var browser = _factory.CreateBrowser();
        await browser.SignInOkAsync("alice");

        _factory.Faults.Down = true;
        using var response = await browser.PostJsonAsync("/multi-session/sign-out", null, configure: Traced);
        _factory.Faults.Down = false;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var traceId = problem.RootElement.GetProperty("traceId").GetString();
        Assert.Equal(TraceId, traceId);
        var logged = Assert.Single(_factory.Log.Entries, e => e.Contains("Database unavailable during POST /multi-session/sign-out", StringComparison.Ordinal));
        Assert.Contains($"(trace {traceId})", logged, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_503_page_shows_the_trace_id_of_the_logged_failure_without_a_traceparent_as_well()
    {
        var browser = _factory.CreateBrowser();
        await browser.SignInOkAsync("alice");
        _factory.Faults.Down = true;
        using var response = await browser.GetAsync("/MultiSession/Accounts");
        _factory.Faults.Down = false;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var logged = Assert.Single(_factory.Log.Entries, e => e.Contains("Database unavailable during GET /MultiSession/Accounts", StringComparison.Ordinal));
        var traceId = LoggedTrace().Match(logged).Groups[1].Value;
        Assert.Matches("^[0-9a-f]{32}$", traceId);
        var page = TestBrowser.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains(traceId, page.QuerySelector(".ms-reference")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_problem_details_body_of_the_api_carries_the_requests_w3c_trace_id()
    {
        var browser = _factory.CreateBrowser();
        using var unknown = await browser.PostJsonAsync("/multi-session/revoke", JsonSerializer.Serialize(new { sessionToken = new string('A', 43) }), configure: Traced);
        using var missing = await browser.Client.SendAsync(WithTrace(new HttpRequestMessage(HttpMethod.Get, "/multi-session/no-such-endpoint")));
        using var refused = await browser.PostJsonAsync("/multi-session/sign-out", null, configure: r =>
        {
            Traced(r);
            r.Headers.Add("Origin", "https://evil.example");
        });

        foreach (var response in new[] { unknown, missing, refused })
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal(TraceId, problem.RootElement.GetProperty("traceId").GetString());
        }
    }

    [Fact]
    public async Task The_event_log_line_and_the_audit_line_of_a_revocation_carry_user_sid_and_the_requests_trace_id()
    {
        var browser = _factory.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        var bob = await browser.SessionOfAsync("bob@example.com");
        var sid = bob.GetProperty("sessionId").GetString();
        var userId = bob.GetProperty("user").GetProperty("id").GetString();

        using var response = await browser.PostJsonAsync("/multi-session/revoke", JsonSerializer.Serialize(new { sessionToken = bob.GetProperty("sessionToken").GetString() }), configure: Traced);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var line = Assert.Single(_factory.FullLog.Entries, e => e.EventId == 503);
        Assert.Equal(userId, line.Fields["UserId"]);
        Assert.Equal(sid, line.Fields["SessionId"]);
        Assert.Equal(TraceId, line.Fields["TraceId"]);
        Assert.Equal("User", line.Fields["Reason"]?.ToString());

        var audit = Assert.Single(_factory.FullLog.Entries, e => e.Category == "Audit" && e.Fields.TryGetValue("Event", out var name) && (string?)name == "session-revoked");
        Assert.Equal((userId, sid, TraceId), ((string?)audit.Fields["UserId"], (string?)audit.Fields["SessionId"], (string?)audit.Fields["TraceId"]));

        // Sign-ins were logged with their user, sid and a trace id of their own requests.
        var signIns = _factory.FullLog.Entries.Where(e => e.EventId == 500).ToList();
        Assert.Equal(2, signIns.Count);
        Assert.All(signIns, e => Assert.Matches("^[0-9a-f]{32}$", (string?)e.Fields["TraceId"] ?? string.Empty));
        Assert.Contains(signIns, e => (string?)e.Fields["SessionId"] == sid && (string?)e.Fields["UserId"] == userId);
    }

    private static HttpRequestMessage WithTrace(HttpRequestMessage request)
    {
        Traced(request);
        return request;
    }

    [GeneratedRegex(@"\(trace ([0-9a-f]+)\)")]
    private static partial Regex LoggedTrace();
}
