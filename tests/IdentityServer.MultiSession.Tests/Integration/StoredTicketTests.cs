using System.Net;
using System.Security.Claims;
using IdentityServer.MultiSession.Storage;
using IdentityServer.MultiSession.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>
/// The principal stored with each session is protected with ASP.NET Core Data Protection; a row that cannot be read ends that
/// account only; rows of the previous version (plain serializer bytes) are read once and rewritten protected.
/// </summary>
public abstract class StoredTicketTests
{
    private readonly IdpFactory factory;

    protected StoredTicketTests(IdpFactory factory)
    {
        this.factory = factory;
        factory.RequireDatabase();
    }

    private Task<DeviceSessionEntity> RowAsync(string email) =>
        factory.WithDatabaseAsync(db => db.Set<DeviceSessionEntity>().AsNoTracking().SingleAsync(s => s.Email == email));

    private Task SetTicketAsync(string id, byte[] ticket) =>
        factory.WithDatabaseAsync(db => db.Set<DeviceSessionEntity>().Where(s => s.Id == id).ExecuteUpdateAsync(u => u.SetProperty(s => s.Ticket, ticket)));

    [SkippableFact]
    public async Task The_stored_principal_is_protected_and_shows_no_claim_in_plain_text()
    {
        using var host = new IdpFactory { Provider = factory.Provider };
        var browser = host.CreateBrowser();
        await browser.SignInOkAsync("alice");
        var ticket = await host.WithDatabaseAsync(db => db.Set<DeviceSessionEntity>().Select(s => s.Ticket).SingleAsync());
        var text = System.Text.Encoding.UTF8.GetString(ticket);
        Assert.DoesNotContain("alice", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("SecurityStamp", text, StringComparison.Ordinal);
        Assert.Null(TryPlain(ticket));
    }

    [SkippableFact]
    public async Task An_unreadable_stored_principal_ends_that_account_only_and_the_browser_carries_on_without_it()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("bob", "carol");
        var carol = await RowAsync("carol@example.com");
        await SetTicketAsync(carol.Id, [1, 2, 3, 4, 5, 6, 7, 8]);

        for (var i = 0; i < 2; i++)
        {
            using var profile = await browser.GetAsync("/Account/Profile");
            Assert.Equal(HttpStatusCode.OK, profile.StatusCode);
            Assert.Contains("bob@example.com", await profile.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(["bob@example.com"], (await browser.ListAsync()).Select(e => e.GetProperty("user").GetProperty("email").GetString()));
        Assert.Equal(0, await factory.WithDatabaseAsync(db => db.Set<DeviceSessionEntity>().CountAsync(s => s.Id == carol.Id)));
        Assert.Contains("cannot be unprotected or read", factory.Log.ToString(), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task A_row_written_by_the_previous_version_is_read_once_as_it_is_and_rewritten_protected()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("dave");
        var row = await RowAsync("dave@example.com");

        // What the previous version stored: the ticket serializer's bytes, unprotected, and no stamp hash.
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.NameIdentifier, row.UserId), new Claim(ClaimTypes.Name, "dave"), new Claim(ClaimTypes.Email, "dave@example.com")],
            "Identity.Application");
        var plain = TicketSerializer.Default.Serialize(new AuthenticationTicket(new ClaimsPrincipal(identity), "Identity.Application"));
        await SetTicketAsync(row.Id, plain);
        await factory.WithDatabaseAsync(db => db.Set<DeviceSessionEntity>().Where(s => s.Id == row.Id).ExecuteUpdateAsync(u => u.SetProperty(s => s.SecurityStampHash, (string?)null)));

        using (var profile = await browser.GetAsync("/Account/Profile"))
        {
            Assert.Equal(HttpStatusCode.OK, profile.StatusCode);
        }

        var rewritten = await RowAsync("dave@example.com");
        Assert.Equal(row.Id, rewritten.Id);
        Assert.NotEqual(plain, rewritten.Ticket);
        Assert.Null(TryPlain(rewritten.Ticket));
        using var again = await browser.GetAsync("/Account/Profile");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    private static AuthenticationTicket? TryPlain(byte[] bytes)
    {
        try
        {
            return TicketSerializer.Default.Deserialize(bytes);
        }
        catch (Exception exception) when (exception is FormatException or EndOfStreamException or ArgumentException or InvalidOperationException or OverflowException)
        {
            return null;
        }
    }
}

/// <summary>StoredTicketTests on SQLite.</summary>
public sealed class StoredTicketTestsOnSqlite(SqliteIdpFactory factory) : StoredTicketTests(factory), IClassFixture<SqliteIdpFactory>;

/// <summary>StoredTicketTests on PostgreSQL.</summary>
public sealed class StoredTicketTestsOnPostgreSql(PostgreSqlIdpFactory factory) : StoredTicketTests(factory), IClassFixture<PostgreSqlIdpFactory>;
