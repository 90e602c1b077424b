using Microsoft.EntityFrameworkCore;

namespace IdentityServer.MultiSession.Storage;

/// <summary><see cref="ILogoutNotificationStore"/> over the host's EF Core <typeparamref name="TContext"/>.</summary>
/// <typeparam name="TContext">The host's DbContext, whose model includes the multi-session entities.</typeparam>
public class EntityFrameworkLogoutNotificationStore<TContext> : ILogoutNotificationStore
    where TContext : DbContext
{
    private readonly TContext _context;

    /// <summary>Creates the store over <paramref name="context"/>.</summary>
    public EntityFrameworkLogoutNotificationStore(TContext context) => _context = context;

    private DbSet<LogoutNotificationEntity> Notifications => _context.Set<LogoutNotificationEntity>();

    /// <inheritdoc />
    public virtual async Task<IReadOnlyList<StoredLogoutNotification>> ClaimAsync(string claim, DateTimeOffset now, TimeSpan leaseDuration, int batchSize, CancellationToken cancellationToken = default)
    {
        var candidates = await Notifications.AsNoTracking()
            .Where(n => n.Status == LogoutNotificationStatus.Pending && n.NextAttemptAt <= now && (n.LeaseExpiresAt == null || n.LeaseExpiresAt <= now))
            .OrderBy(n => n.NextAttemptAt)
            .Select(n => n.Id)
            .Take(batchSize)
            .ToListAsync(cancellationToken);
        if (candidates.Count == 0)
        {
            return [];
        }

        // One conditional UPDATE takes the rows whose lease is still free. The database re-checks the condition on each row it
        // locks, so two instances reading the same candidates split them: a row updated by one no longer matches for the other.
        var until = now + leaseDuration;
        var claimed = await Notifications
            .Where(n => candidates.Contains(n.Id) && n.Status == LogoutNotificationStatus.Pending && (n.LeaseExpiresAt == null || n.LeaseExpiresAt <= now))
            .ExecuteUpdateAsync(u => u.SetProperty(n => n.LeaseOwner, claim).SetProperty(n => n.LeaseExpiresAt, until), cancellationToken);
        if (claimed == 0)
        {
            return [];
        }

        var rows = await Notifications.AsNoTracking()
            .Where(n => candidates.Contains(n.Id) && n.LeaseOwner == claim)
            .ToListAsync(cancellationToken);
        return rows.Select(n => n.ToRecord()).ToList();
    }

    /// <inheritdoc />
    public virtual async Task<bool> CompleteAsync(string id, string claim, LogoutNotificationStatus status, int attempts, string? error, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        await Held(id, claim).ExecuteUpdateAsync(
            u => u.SetProperty(n => n.Status, status)
                .SetProperty(n => n.Attempts, attempts)
                .SetProperty(n => n.LastError, error)
                .SetProperty(n => n.CompletedAt, now)
                .SetProperty(n => n.LeaseOwner, (string?)null)
                .SetProperty(n => n.LeaseExpiresAt, (DateTimeOffset?)null),
            cancellationToken) == 1;

    /// <inheritdoc />
    public virtual async Task<bool> RetryLaterAsync(string id, string claim, int attempts, string error, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken = default) =>
        await Held(id, claim).ExecuteUpdateAsync(
            u => u.SetProperty(n => n.Attempts, attempts)
                .SetProperty(n => n.LastError, error)
                .SetProperty(n => n.NextAttemptAt, nextAttemptAt)
                .SetProperty(n => n.LeaseOwner, (string?)null)
                .SetProperty(n => n.LeaseExpiresAt, (DateTimeOffset?)null),
            cancellationToken) == 1;

    /// <inheritdoc />
    public virtual async Task<bool> ReleaseAsync(string id, string claim, CancellationToken cancellationToken = default) =>
        await Held(id, claim).ExecuteUpdateAsync(
            u => u.SetProperty(n => n.LeaseOwner, (string?)null).SetProperty(n => n.LeaseExpiresAt, (DateTimeOffset?)null),
            cancellationToken) == 1;

    /// <inheritdoc />
    public virtual async Task<bool> RemoveAsync(string id, string claim, CancellationToken cancellationToken = default) =>
        await Held(id, claim).ExecuteDeleteAsync(cancellationToken) == 1;

    /// <inheritdoc />
    public virtual async Task<int> RemoveDeliveredAsync(DateTimeOffset before, int batchSize, CancellationToken cancellationToken = default)
    {
        var ids = await Notifications
            .Where(n => n.Status == LogoutNotificationStatus.Delivered && n.CompletedAt <= before)
            .OrderBy(n => n.CompletedAt)
            .Select(n => n.Id)
            .Take(batchSize)
            .ToListAsync(cancellationToken);
        return ids.Count == 0 ? 0 : await Notifications.Where(n => ids.Contains(n.Id) && n.Status == LogoutNotificationStatus.Delivered).ExecuteDeleteAsync(cancellationToken);
    }

    /// <inheritdoc />
    public virtual Task<DateTimeOffset?> FindOldestPendingAsync(CancellationToken cancellationToken = default) =>
        Notifications.AsNoTracking()
            .Where(n => n.Status == LogoutNotificationStatus.Pending)
            .OrderBy(n => n.CreatedAt)
            .Select(n => (DateTimeOffset?)n.CreatedAt)
            .FirstOrDefaultAsync(cancellationToken);

    private IQueryable<LogoutNotificationEntity> Held(string id, string claim) =>
        Notifications.Where(n => n.Id == id && n.LeaseOwner == claim);
}
