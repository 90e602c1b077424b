using System.Data.Common;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using IdentityServer.MultiSession.Storage;
using IdentityServer.MultiSession.Tests.Infrastructure;
using IdpHost.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>
/// The store's database plumbing: transactions through EF Core's execution strategy (retry on failure), unique-constraint
/// violations recognised by each provider's error code, and the 503 answer for database failures only.
/// </summary>
public sealed class DatabasePlumbingTests
{
    [SkippableFact]
    public async Task Sign_in_switch_revoke_and_sign_out_work_on_PostgreSQL_with_retry_on_failure_enabled()
    {
        using var host = new IdpFactory { Provider = "PostgreSQL" };
        host.RequireDatabase();
        host.Settings["Database:EnableRetryOnFailure"] = "true";
        var browser = host.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob", "alice");
        var alice = await browser.SessionOfAsync("alice@example.com");
        using (var switched = await browser.PostJsonAsync("/multi-session/set-active", JsonSerializer.Serialize(new { sessionToken = (await browser.SessionOfAsync("bob@example.com")).GetProperty("sessionToken").GetString() })))
        {
            Assert.Equal(HttpStatusCode.OK, switched.StatusCode);
        }

        using (var revoked = await browser.PostJsonAsync("/multi-session/revoke", JsonSerializer.Serialize(new { sessionToken = alice.GetProperty("sessionToken").GetString() })))
        {
            Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        }

        Assert.Single(await browser.ListAsync());
        using (var signedOut = await browser.PostJsonAsync("/multi-session/sign-out", null))
        {
            Assert.Equal(HttpStatusCode.OK, signedOut.StatusCode);
        }

        Assert.Equal((0, 0), await host.CountRowsAsync());
    }

    [Fact]
    public async Task A_duplicate_key_on_SQLite_is_recognised_by_its_extended_code_and_a_not_null_failure_is_not()
    {
        await using var connection = new SqliteConnection("Data Source=:memory:");
        await connection.OpenAsync();
        await ExecuteAsync(connection, "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)");
        await ExecuteAsync(connection, "INSERT INTO t (id, name) VALUES (1, 'a')");
        var detector = new SqliteUniqueConstraintViolationDetector();
        Assert.True(detector.IsUniqueConstraintViolation(await FailAsync(connection, "INSERT INTO t (id, name) VALUES (2, 'a')")));
        Assert.True(detector.IsUniqueConstraintViolation(await FailAsync(connection, "INSERT INTO t (id, name) VALUES (1, 'b')")));
        Assert.False(detector.IsUniqueConstraintViolation(await FailAsync(connection, "INSERT INTO t (id, name) VALUES (3, NULL)")));
        Assert.False(new SqlStateUniqueConstraintViolationDetector().IsUniqueConstraintViolation(await FailAsync(connection, "INSERT INTO t (id, name) VALUES (2, 'a')")));
    }

    [SkippableFact]
    public async Task A_duplicate_key_on_PostgreSQL_is_recognised_by_SQLSTATE_23505_and_a_not_null_failure_is_not()
    {
        TestPostgres.Require();
        await using var connection = new NpgsqlConnection(TestPostgres.Server);
        await connection.OpenAsync();
        await ExecuteAsync(connection, "CREATE TEMP TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)");
        await ExecuteAsync(connection, "INSERT INTO t (id, name) VALUES (1, 'a')");
        var detector = new SqlStateUniqueConstraintViolationDetector();
        Assert.True(detector.IsUniqueConstraintViolation(await FailAsync(connection, "INSERT INTO t (id, name) VALUES (2, 'a')")));
        Assert.False(detector.IsUniqueConstraintViolation(await FailAsync(connection, "INSERT INTO t (id, name) VALUES (3, NULL)")));
        Assert.False(new SqliteUniqueConstraintViolationDetector().IsUniqueConstraintViolation(await FailAsync(connection, "INSERT INTO t (id, name) VALUES (2, 'a')")));
    }

    [Fact]
    public async Task An_outgoing_HttpClient_timeout_or_failure_in_a_host_page_is_not_answered_as_a_database_outage()
    {
        using var host = new EndpointsIdpFactory
        {
            Endpoints = endpoints =>
            {
                endpoints.MapGet("/test/http-timeout", IResult () =>
                    throw new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout of 100 seconds elapsing.", new TimeoutException("The operation was canceled.")));
                endpoints.MapGet("/test/http-failure", IResult () =>
                    throw new HttpRequestException("Connection refused (api.example:443)", new SocketException((int)SocketError.ConnectionRefused)));
                endpoints.MapGet("/test/database-failure", IResult () =>
                    throw new InvalidOperationException("A store failed.", new SqliteException("database is locked", 5)));
            },
        };
        var browser = host.CreateBrowser();
        foreach (var path in new[] { "/test/http-timeout", "/test/http-failure" })
        {
            using var response = await browser.GetAsync(path);
            Assert.NotEqual(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        }

        // A database exception, whoever called the database, is still the 503.
        using var database = await browser.GetAsync("/test/database-failure");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, database.StatusCode);
    }

    private static async Task ExecuteAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<DbException> FailAsync(DbConnection connection, string sql) =>
        await Assert.ThrowsAnyAsync<DbException>(() => ExecuteAsync(connection, sql));
}
