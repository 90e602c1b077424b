using System.Collections.Concurrent;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace ClientApp;

/// <summary>
/// Keeps the client's sign-in sessions on the server (the cookie holds only a random key), indexed by the IdP's session id
/// (<c>sid</c>) and subject (<c>sub</c>), so that a back-channel logout ends exactly the sessions it names: the next request of
/// that browser finds no session and is signed out. In memory, which suits one sample instance; a real deployment would use a
/// shared store (a database or a distributed cache) with the same two indexes.
/// </summary>
public sealed class SessionTicketStore : ITicketStore
{
    private readonly ConcurrentDictionary<string, Entry> _tickets = new(StringComparer.Ordinal);

    /// <summary>How many sessions are held (for tests and diagnostics).</summary>
    public int Count => _tickets.Count;

    /// <inheritdoc />
    public Task<string> StoreAsync(AuthenticationTicket ticket)
    {
        var key = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        _tickets[key] = Entry.Of(ticket);
        return Task.FromResult(key);
    }

    /// <inheritdoc />
    public Task RenewAsync(string key, AuthenticationTicket ticket)
    {
        // A renewal of a session ended meanwhile must not bring it back.
        if (_tickets.TryGetValue(key, out var current))
        {
            _tickets.TryUpdate(key, Entry.Of(ticket), current);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<AuthenticationTicket?> RetrieveAsync(string key) =>
        Task.FromResult(_tickets.TryGetValue(key, out var entry) ? entry.Ticket : null);

    /// <inheritdoc />
    public Task RemoveAsync(string key)
    {
        _tickets.TryRemove(key, out _);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Ends the sessions that a logout token names: those with its <c>sid</c> when it carries one (and, when it also carries a
    /// <c>sub</c>, only if the subject matches), otherwise every session of its <c>sub</c>. Returns how many ended.
    /// </summary>
    public int RemoveBySession(string? sessionId, string? subject)
    {
        var removed = 0;
        foreach (var (key, entry) in _tickets)
        {
            var match = sessionId is not null
                ? entry.SessionId == sessionId && (subject is null || entry.Subject == subject)
                : subject is not null && entry.Subject == subject;
            if (match && _tickets.TryRemove(key, out _))
            {
                removed++;
            }
        }

        return removed;
    }

    private sealed record Entry(AuthenticationTicket Ticket, string? SessionId, string? Subject)
    {
        public static Entry Of(AuthenticationTicket ticket) =>
            new(ticket, ticket.Principal.FindFirst("sid")?.Value, ticket.Principal.FindFirst("sub")?.Value);
    }
}

/// <summary>Puts the cookie scheme's sessions in <see cref="SessionTicketStore"/>.</summary>
internal sealed class SessionTicketStoreSetup(SessionTicketStore store) : Microsoft.Extensions.Options.IPostConfigureOptions<CookieAuthenticationOptions>
{
    public void PostConfigure(string? name, CookieAuthenticationOptions options)
    {
        if (name == CookieAuthenticationDefaults.AuthenticationScheme)
        {
            options.SessionStore = store;
        }
    }
}
