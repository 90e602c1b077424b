using System.Net;
using System.Text.Json;
using IdentityServer.MultiSession.Tests.Infrastructure;
using IdpHost.Data;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>
/// Query budgets of the per-request path (issue 6, BEHAVIOUR.md §7), counted with an EF Core command interceptor per request:
/// authenticating an ordinary request is one database command, and the accounts on a browser change the number of
/// commands of no request (no N+1). On SQLite, no query of the request path scans a session table.
/// </summary>
public abstract class QueryBudgetTests
{
    private readonly CountingIdpFactory factory;

    protected QueryBudgetTests(CountingIdpFactory factory)
    {
        this.factory = factory;
        factory.RequireDatabase();
    }

    private static readonly string[] Users = ["alice", "bob", "carol", "dave", "erin"];

    [SkippableTheory]
    [InlineData(1)]
    [InlineData(5)]
    public async Task Authenticating_an_ordinary_page_request_costs_one_database_command(int accounts)
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync(Users[..accounts]);

        // /Account/Profile is an [Authorize] page that does no database work of its own: what it costs is authentication.
        // (Right after sign-in: the once-a-minute write of the last-use time is not due.)
        using var recording = factory.Recorder.Start(browser.Client);
        using var response = await browser.GetAsync("/Account/Profile");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var command = Assert.Single(recording.Commands);
        Assert.Contains("MultiSessionDevices", command.Sql, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Listing_the_device_sessions_costs_the_same_commands_for_1_3_and_5_accounts()
    {
        var counts = new List<int>();
        foreach (var accounts in new[] { 1, 3, 5 })
        {
            var browser = factory.CreateBrowser();
            await browser.SignInOkAsync(Users[..accounts]);
            using var recording = factory.Recorder.Start(browser.Client);
            using var response = await browser.GetAsync("/multi-session/list-device-sessions");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var list = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal(accounts, list.RootElement.GetArrayLength());
            counts.Add(recording.Commands.Count);
        }

        // Authentication, then one query for the list: no command per account.
        Assert.Equal(new[] { 2, 2, 2 }, counts);
    }

    [SkippableFact]
    public async Task An_authorization_request_with_login_hint_costs_the_same_commands_for_1_and_5_accounts()
    {
        var counts = new List<int>();
        foreach (var accounts in new[] { 1, 5 })
        {
            var browser = factory.CreateBrowser();
            await browser.SignInOkAsync(Users[..accounts]);
            var hint = new Dictionary<string, string?> { ["login_hint"] = Users[0] + "@example.com" };

            // The first authorization records the client on the session (a write made once); the second is the steady state.
            var first = new OidcClient(browser);
            first.Code(await first.AuthorizeAsync(hint));
            var client = new OidcClient(browser);
            using var recording = factory.Recorder.Start(browser.Client);
            using var response = await browser.GetAsync(client.AuthorizeUrl(hint));
            client.Code(response);
            counts.Add(recording.Commands.Count);
        }

        Assert.Equal(counts[0], counts[1]);
    }

    /// <summary>A host that records the database commands of the requests a test marks.</summary>
    public class CountingIdpFactory : IdpFactory
    {
        public CommandRecorder Recorder { get; } = new() { ExplainSqlite = true };

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services =>
            {
                services.AddSingleton<Microsoft.AspNetCore.Hosting.IStartupFilter>(Recorder);
                services.ConfigureDbContext<SqliteApplicationDbContext>(options => options.AddInterceptors(Recorder));
                services.ConfigureDbContext<PostgreSqlApplicationDbContext>(options => options.AddInterceptors(Recorder));
            });
        }
    }
}

/// <summary>QueryBudgetTests on SQLite, with the query plans of the request path.</summary>
public sealed class QueryBudgetTestsOnSqlite(QueryBudgetTestsOnSqlite.Factory factory) : QueryBudgetTests(factory), IClassFixture<QueryBudgetTestsOnSqlite.Factory>
{
    private readonly Factory factory = factory;

    [Fact]
    public async Task No_query_of_the_request_path_scans_a_session_table()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob", "carol");
        var bob = (await browser.SessionOfAsync("bob@example.com")).GetProperty("sessionToken").GetString();

        IReadOnlyList<RecordedCommand> commands;
        using (var recording = factory.Recorder.Start(browser.Client))
        {
            // A page, the list, a switch, an authorization with login_hint, its code redeemed, a refresh.
            (await browser.GetAsync("/Account/Profile")).EnsureSuccessStatusCode();
            (await browser.GetAsync("/multi-session/list-device-sessions")).EnsureSuccessStatusCode();
            (await browser.PostJsonAsync("/multi-session/set-active", $"{{\"sessionToken\":\"{bob}\"}}")).EnsureSuccessStatusCode();
            var client = new OidcClient(browser);
            var tokens = await client.ExchangeAsync(client.Code(await client.AuthorizeAsync(new Dictionary<string, string?> { ["login_hint"] = "alice" })));
            Assert.Equal(HttpStatusCode.OK, tokens.Status);
            Assert.Equal(HttpStatusCode.OK, (await OidcClient.RefreshAsync(browser.Client, tokens.RefreshToken!)).Status);
            commands = recording.Commands;
        }

        var sessionCommands = commands.Where(c => c.Sql.Contains("MultiSession", StringComparison.Ordinal)).ToList();
        Assert.True(sessionCommands.Count >= 6, $"Only {sessionCommands.Count} commands on the session tables were recorded.");
        foreach (var command in sessionCommands)
        {
            // An INSERT of values (recording a client on a session) reads no table: SQLite has no plan to show for it.
            if (command.Sql.TrimStart().StartsWith("INSERT INTO", StringComparison.Ordinal) && !command.Sql.Contains("SELECT", StringComparison.Ordinal))
            {
                continue;
            }

            Assert.NotEmpty(command.Plan);

            // SEARCH = an index seek; SCAN = a read of a whole table or index; MATERIALIZE = a subquery computed in full first.
            Assert.False(
                command.Plan.Any(line => line.StartsWith("SCAN", StringComparison.Ordinal) || line.StartsWith("MATERIALIZE", StringComparison.Ordinal)),
                $"This query reads a whole table, so its cost grows with the sessions stored:\n{command.Sql}\nPlan:\n{string.Join('\n', command.Plan)}");
        }
    }

    public sealed class Factory : CountingIdpFactory;
}

/// <summary>QueryBudgetTests on PostgreSQL.</summary>
public sealed class QueryBudgetTestsOnPostgreSql(QueryBudgetTestsOnPostgreSql.Factory factory) : QueryBudgetTests(factory), IClassFixture<QueryBudgetTestsOnPostgreSql.Factory>
{
    public sealed class Factory : CountingIdpFactory
    {
        public Factory()
        {
            Provider = "PostgreSQL";
        }
    }
}
