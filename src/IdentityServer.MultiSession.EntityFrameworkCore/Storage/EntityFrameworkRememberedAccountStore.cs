using Microsoft.EntityFrameworkCore;

namespace IdentityServer.MultiSession.Storage;

/// <summary>
/// <see cref="IRememberedAccountStore"/> over the host's EF Core <typeparamref name="TContext"/>, whose model includes the
/// multi-session entities (<see cref="MultiSessionModelBuilderExtensions.UseMultiSession"/>).
/// </summary>
/// <typeparam name="TContext">The host's DbContext.</typeparam>
public class EntityFrameworkRememberedAccountStore<TContext> : IRememberedAccountStore
    where TContext : DbContext
{
    private readonly TContext _context;

    /// <summary>Creates the store over <paramref name="context"/>.</summary>
    public EntityFrameworkRememberedAccountStore(TContext context)
    {
        _context = context;
    }

    private DbSet<RememberedAccountEntity> Remembered => _context.Set<RememberedAccountEntity>();

    private DbSet<DeviceEntity> Devices => _context.Set<DeviceEntity>();

    /// <inheritdoc />
    public virtual async Task<IReadOnlyList<StoredRememberedAccount>> ListAsync(string secretHash, DateTimeOffset signedOutAfter, CancellationToken cancellationToken = default) =>
        (await (from r in Remembered.AsNoTracking()
                join d in Devices on r.DeviceId equals d.Id
                where d.SecretHash == secretHash && r.SignedOutAt > signedOutAfter
                orderby r.SignedOutAt descending, r.Id
                select r)
            .ToListAsync(cancellationToken))
        .Select(r => r.ToRecord())
        .ToList();

    /// <inheritdoc />
    public virtual async Task<bool> ForgetAsync(string secretHash, string id, CancellationToken cancellationToken = default) =>
        await Remembered.Where(r => r.Id == id && Devices.Any(d => d.Id == r.DeviceId && d.SecretHash == secretHash))
            .ExecuteDeleteAsync(cancellationToken) > 0;

    /// <inheritdoc />
    public virtual async Task<int> RemoveExpiredAsync(DateTimeOffset signedOutAtOrBefore, int batchSize, CancellationToken cancellationToken = default)
    {
        var ids = await Remembered.Where(r => r.SignedOutAt <= signedOutAtOrBefore)
            .OrderBy(r => r.SignedOutAt)
            .Select(r => r.Id)
            .Take(batchSize)
            .ToListAsync(cancellationToken);
        return ids.Count == 0 ? 0 : await Remembered.Where(r => ids.Contains(r.Id)).ExecuteDeleteAsync(cancellationToken);
    }
}
