using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace MultiSession.Bench;

/// <summary>One stored authentication ticket of the server-side-session peer.</summary>
internal sealed class BenchTicket
{
    public string Key { get; set; } = default!;

    public byte[] Value { get; set; } = [];

    public DateTimeOffset? ExpiresAt { get; set; }
}

/// <summary>The peer's ticket table, on the IdP's own database (its own context: the IdP's model is not changed).</summary>
internal sealed class TicketDbContext(DbContextOptions<TicketDbContext> options) : DbContext(options)
{
    public DbSet<BenchTicket> Tickets => Set<BenchTicket>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<BenchTicket>(ticket =>
        {
            ticket.ToTable("BenchTickets");
            ticket.HasKey(t => t.Key);
            ticket.Property(t => t.Key).HasMaxLength(64);
            ticket.Property(t => t.ExpiresAt).HasConversion(v => v.HasValue ? v.Value.ToUnixTimeMilliseconds() : (long?)null, v => v.HasValue ? DateTimeOffset.FromUnixTimeMilliseconds(v.Value) : null);
        });
    }
}

/// <summary>
/// The server-side-session peer: ASP.NET Core's cookie handler keeps only a key in the cookie
/// (<see cref="CookieAuthenticationOptions.SessionStore"/>) and reads the ticket from the database on every request, as
/// server-side session products do. Written as carefully as the multi-session lookup: pooled contexts, a compiled query, the
/// stored ticket protected with Data Protection.
/// </summary>
internal sealed class EfTicketStore(IDbContextFactory<TicketDbContext> contexts, IDataProtectionProvider protection) : ITicketStore
{
    // Compiled per store (per host): a compiled query runs against one model only, and a run on SQLite and PostgreSQL hosts the
    // peer once per provider in the same process.
    private readonly Func<TicketDbContext, string, Task<byte[]?>> _find =
        EF.CompileAsyncQuery((TicketDbContext db, string key) => db.Tickets.AsNoTracking().Where(t => t.Key == key).Select(t => t.Value).FirstOrDefault());

    private readonly IDataProtector _protector = protection.CreateProtector("MultiSession.Bench.Tickets");

    public async Task<string> StoreAsync(AuthenticationTicket ticket)
    {
        var key = Guid.NewGuid().ToString("N");
        await using var db = await contexts.CreateDbContextAsync();
        db.Tickets.Add(new BenchTicket { Key = key, Value = Protect(ticket), ExpiresAt = ticket.Properties.ExpiresUtc });
        await db.SaveChangesAsync();
        return key;
    }

    public async Task RenewAsync(string key, AuthenticationTicket ticket)
    {
        var value = Protect(ticket);
        var expires = ticket.Properties.ExpiresUtc;
        await using var db = await contexts.CreateDbContextAsync();
        await db.Tickets.Where(t => t.Key == key).ExecuteUpdateAsync(u => u.SetProperty(t => t.Value, value).SetProperty(t => t.ExpiresAt, expires));
    }

    public async Task<AuthenticationTicket?> RetrieveAsync(string key)
    {
        await using var db = await contexts.CreateDbContextAsync();
        var value = await _find(db, key);
        return value is null ? null : TicketSerializer.Default.Deserialize(_protector.Unprotect(value));
    }

    public async Task RemoveAsync(string key)
    {
        await using var db = await contexts.CreateDbContextAsync();
        await db.Tickets.Where(t => t.Key == key).ExecuteDeleteAsync();
    }

    private byte[] Protect(AuthenticationTicket ticket) => _protector.Protect(TicketSerializer.Default.Serialize(ticket));
}
