using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.Logging;

namespace IdentityServer.MultiSession.Storage;

/// <summary>
/// <see cref="IDeviceSessionStore"/> over the host's EF Core <typeparamref name="TContext"/>, whose model includes the
/// multi-session entities (<see cref="MultiSessionModelBuilderExtensions.UseMultiSession"/>).
/// </summary>
/// <typeparam name="TContext">The host's DbContext.</typeparam>
public class EntityFrameworkDeviceSessionStore<TContext> : IDeviceSessionStore
    where TContext : DbContext
{
    private const int MaximumAttempts = 8;
    private readonly TContext _context;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    /// <summary>Creates the store over <paramref name="context"/>.</summary>
    public EntityFrameworkDeviceSessionStore(TContext context, ILogger<EntityFrameworkDeviceSessionStore<TContext>> logger, TimeProvider time)
    {
        _context = context;
        _logger = logger;
        _time = time;
    }

    // A compiled query belongs to the model it first ran with; one context type may have several (one per database provider).
    private static readonly ConditionalWeakTable<IModel, Func<TContext, string, string?, CancellationToken, Task<DeviceLookup?>>> FindQueries = [];

    private DbSet<DeviceEntity> Devices => _context.Set<DeviceEntity>();

    private DbSet<DeviceSessionEntity> Sessions => _context.Set<DeviceSessionEntity>();

    /// <inheritdoc />
    public virtual async Task<DeviceLookup?> FindAsync(string secretHash, string? sessionId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        // One round trip and two index seeks, whatever the number of sessions stored (SPEC §7): the device by its unique
        // hash, then the one session wanted by its primary key, in a LEFT JOIN on equalities only. (A FirstOrDefault over
        // d.Sessions here is translated with ROW_NUMBER() over the whole session table, which the database computes
        // before joining: a scan of every stored session on every request.) Expiry is checked on the one row read.
        // The query runs on every authenticated request: it is compiled once, so that EF Core neither walks nor hashes its
        // expression tree per request.
        var find = FindQueries.GetValue(_context.Model, static _ => EF.CompileAsyncQuery(
            (TContext context, string secretHash, string? sessionId, CancellationToken _) =>
                (from d in context.Set<DeviceEntity>().AsNoTracking()
                 where d.SecretHash == secretHash
                 join s in context.Set<DeviceSessionEntity>() on new { DeviceId = d.Id, SessionId = sessionId ?? d.ActiveSessionId }
                     equals new { s.DeviceId, SessionId = (string?)s.Id } into found
                 from s in found.DefaultIfEmpty()
                 select new DeviceLookup(d, s))
                .FirstOrDefault()));
        var row = await find(_context, secretHash, sessionId, cancellationToken);
        if (row is null)
        {
            return null;
        }

        return row.Session is { } session && session.ExpiresAt <= now ? row with { Session = null } : row;
    }

    /// <inheritdoc />
    public virtual async Task<DeviceSessionList> ListAsync(string secretHash, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var rows = await Sessions.AsNoTracking()
            .Where(s => s.Device!.SecretHash == secretHash && s.ExpiresAt > now)
            .OrderByDescending(s => s.LastSeenAt)
            .ThenByDescending(s => s.CreatedAt)
            .Select(s => new { Session = s, s.Device!.ActiveSessionId })
            .ToListAsync(cancellationToken);
        if (rows.Count == 0)
        {
            return DeviceSessionList.Empty;
        }

        return new DeviceSessionList(rows[0].Session.DeviceId, rows[0].ActiveSessionId, rows.Select(r => r.Session).ToList());
    }

    /// <inheritdoc />
    public virtual async Task<DeviceSignInResult> SignInAsync(DeviceSignInRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TrySignInAsync(request, cancellationToken);
            }
            catch (DbUpdateException exception) when (attempt < MaximumAttempts && UniqueConstraintViolation.Is(exception))
            {
                // A concurrent sign-in on the same device took the slot or the user's place first: the unique
                // indexes refused this one. Read the device again and decide anew.
                Log.SignInConflict(_logger, attempt, exception.InnerException?.GetType().Name ?? exception.GetType().Name);
                _context.ChangeTracker.Clear();
                await Task.Delay(Random.Shared.Next(5, 20 * attempt), cancellationToken);
            }
        }
    }

    private async Task<DeviceSignInResult> TrySignInAsync(DeviceSignInRequest request, CancellationToken cancellationToken)
    {
        var now = request.Now;

        // A retry starts from clean entities: an earlier attempt's navigation fix-up must not be tracked again.
        request.Session.Device = null;
        request.NewDevice.Sessions = [];
        await using var transaction = await _context.Database.BeginTransactionAsync(cancellationToken);

        var device = request.CurrentSecretHash is null
            ? null
            : await Devices.FirstOrDefaultAsync(d => d.SecretHash == request.CurrentSecretHash, cancellationToken);

        List<DeviceSessionEntity> live = [];
        if (device is not null)
        {
            await EnqueueLogoutNotificationsAsync(s => s.DeviceId == device.Id && s.ExpiresAt <= now, cancellationToken);
            await Sessions.Where(s => s.DeviceId == device.Id && s.ExpiresAt <= now).ExecuteDeleteAsync(cancellationToken);
            live = await Sessions.Where(s => s.DeviceId == device.Id).ToListAsync(cancellationToken);
        }

        var rotated = false;
        if (device is null || live.Count == 0)
        {
            // A device signing in from a fully signed-out state gets a fresh secret (session fixation, SPEC §7).
            if (device is not null)
            {
                await Devices.Where(d => d.Id == device.Id).ExecuteDeleteAsync(cancellationToken);
            }

            device = request.NewDevice;
            device.ActiveSessionId = null;
            Devices.Add(device);
            await _context.SaveChangesAsync(cancellationToken);
            rotated = true;
            live = [];
        }

        var session = request.Session;
        string? replaced = null;
        var existing = live.FirstOrDefault(s => s.UserId == session.UserId);
        if (existing is not null)
        {
            // The same user signing in again replaces the earlier session; it takes no second slot (SPEC §3.2).
            await EnqueueLogoutNotificationsAsync(s => s.Id == existing.Id, cancellationToken);
            await Sessions.Where(s => s.Id == existing.Id).ExecuteDeleteAsync(cancellationToken);
            live.Remove(existing);
            replaced = existing.Id;
        }

        var evicted = new List<string>();
        if (live.Count >= request.MaximumSessions)
        {
            if (request.OnLimitReached == LimitReachedBehavior.Reject)
            {
                await transaction.RollbackAsync(cancellationToken);
                return new DeviceSignInResult(null, false, null, []);
            }

            var victims = live.OrderBy(s => s.LastSeenAt).Take(live.Count - request.MaximumSessions + 1).ToList();
            var ids = victims.Select(v => v.Id).ToList();
            await EnqueueLogoutNotificationsAsync(s => ids.Contains(s.Id), cancellationToken);
            await Sessions.Where(s => ids.Contains(s.Id)).ExecuteDeleteAsync(cancellationToken);
            evicted.AddRange(ids);
            live.RemoveAll(s => ids.Contains(s.Id));
        }

        var taken = live.Select(s => s.Slot).ToHashSet();
        var slot = Enumerable.Range(0, request.MaximumSessions).First(i => !taken.Contains(i));

        session.DeviceId = device.Id;
        session.Slot = slot;
        Sessions.Add(session);
        device.ActiveSessionId = session.Id;
        device.LastSeenAt = now;
        await _context.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        _context.ChangeTracker.Clear();
        return new DeviceSignInResult(session, rotated, replaced, evicted);
    }

    /// <inheritdoc />
    public virtual async Task<DeviceSessionEntity?> SetActiveAsync(string secretHash, string handle, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var session = await Sessions.AsNoTracking()
            .FirstOrDefaultAsync(s => s.Handle == handle && s.Device!.SecretHash == secretHash && s.ExpiresAt > now, cancellationToken);
        if (session is null)
        {
            return null;
        }

        // One conditional statement: a session revoked in the meantime is never made active.
        var sessionId = session.Id;
        var updated = await Devices
            .Where(d => d.Id == session.DeviceId && d.Sessions.Any(s => s.Id == sessionId && s.ExpiresAt > now))
            .ExecuteUpdateAsync(u => u.SetProperty(d => d.ActiveSessionId, sessionId).SetProperty(d => d.LastSeenAt, now), cancellationToken);
        if (updated == 0)
        {
            return null;
        }

        return session;
    }

    /// <inheritdoc />
    public virtual async Task<DeviceSessionEntity?> ActivateMostRecentAsync(string deviceId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var next = await Sessions.AsNoTracking()
            .Where(s => s.DeviceId == deviceId && s.ExpiresAt > now)
            .OrderByDescending(s => s.LastSeenAt)
            .ThenByDescending(s => s.CreatedAt)
            .FirstOrDefaultAsync(cancellationToken);
        var nextId = next?.Id;
        await Devices.Where(d => d.Id == deviceId)
            .ExecuteUpdateAsync(u => u.SetProperty(d => d.ActiveSessionId, nextId), cancellationToken);
        return next;
    }

    /// <inheritdoc />
    public virtual async Task<DeviceRevocation?> RevokeAsync(string secretHash, string handle, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var transaction = await _context.Database.BeginTransactionAsync(cancellationToken);
        var session = await Sessions.AsNoTracking()
            .FirstOrDefaultAsync(s => s.Handle == handle && s.Device!.SecretHash == secretHash && s.ExpiresAt > now, cancellationToken);
        if (session is null)
        {
            return null;
        }

        await EnqueueLogoutNotificationsAsync(s => s.Id == session.Id, cancellationToken);
        var deleted = await Sessions.Where(s => s.Id == session.Id).ExecuteDeleteAsync(cancellationToken);
        if (deleted == 0)
        {
            return null;
        }

        var remaining = await Sessions.AsNoTracking()
            .Where(s => s.DeviceId == session.DeviceId && s.ExpiresAt > now)
            .OrderByDescending(s => s.LastSeenAt)
            .ThenByDescending(s => s.CreatedAt)
            .Select(s => s.Id)
            .FirstOrDefaultAsync(cancellationToken);

        DeviceRevocation result;
        if (remaining is null)
        {
            await Sessions.Where(s => s.DeviceId == session.DeviceId).ExecuteDeleteAsync(cancellationToken);
            await Devices.Where(d => d.Id == session.DeviceId).ExecuteDeleteAsync(cancellationToken);
            result = new DeviceRevocation(session, null, true);
        }
        else
        {
            // If the revoked session was active, the most recently used remaining one becomes active (SPEC §3.6).
            await Devices.Where(d => d.Id == session.DeviceId && (d.ActiveSessionId == session.Id || d.ActiveSessionId == null))
                .ExecuteUpdateAsync(u => u.SetProperty(d => d.ActiveSessionId, remaining), cancellationToken);
            var active = await Devices.AsNoTracking().Where(d => d.Id == session.DeviceId).Select(d => d.ActiveSessionId).FirstOrDefaultAsync(cancellationToken);
            result = new DeviceRevocation(session, active, false);
        }

        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    /// <inheritdoc />
    public virtual async Task<int> RevokeAllAsync(string secretHash, CancellationToken cancellationToken = default)
    {
        await using var transaction = await _context.Database.BeginTransactionAsync(cancellationToken);
        await EnqueueLogoutNotificationsAsync(s => s.Device!.SecretHash == secretHash, cancellationToken);
        var count = await Sessions.Where(s => s.Device!.SecretHash == secretHash).ExecuteDeleteAsync(cancellationToken);
        await Devices.Where(d => d.SecretHash == secretHash).ExecuteDeleteAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return count;
    }

    /// <inheritdoc />
    public virtual async Task<int> RevokeUserAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using var transaction = await _context.Database.BeginTransactionAsync(cancellationToken);
        var deviceIds = await Sessions.Where(s => s.UserId == userId).Select(s => s.DeviceId).Distinct().ToListAsync(cancellationToken);
        await EnqueueLogoutNotificationsAsync(s => s.UserId == userId, cancellationToken);
        var count = await Sessions.Where(s => s.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        foreach (var deviceId in deviceIds)
        {
            var remaining = await Sessions.AsNoTracking()
                .Where(s => s.DeviceId == deviceId)
                .OrderByDescending(s => s.LastSeenAt)
                .Select(s => s.Id)
                .FirstOrDefaultAsync(cancellationToken);
            if (remaining is null)
            {
                await Devices.Where(d => d.Id == deviceId).ExecuteDeleteAsync(cancellationToken);
            }
            else
            {
                await Devices.Where(d => d.Id == deviceId && (d.ActiveSessionId == null || !d.Sessions.Any(s => s.Id == d.ActiveSessionId)))
                    .ExecuteUpdateAsync(u => u.SetProperty(d => d.ActiveSessionId, remaining), cancellationToken);
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return count;
    }

    /// <inheritdoc />
    public virtual async Task TouchAsync(string sessionId, DateTimeOffset lastSeenAt, DateTimeOffset expiresAt, DateTimeOffset? validatedAt, CancellationToken cancellationToken = default)
    {
        if (validatedAt is { } validated)
        {
            await Sessions.Where(s => s.Id == sessionId)
                .ExecuteUpdateAsync(u => u.SetProperty(s => s.LastSeenAt, lastSeenAt).SetProperty(s => s.ExpiresAt, expiresAt).SetProperty(s => s.LastValidatedAt, validated), cancellationToken);
        }
        else
        {
            await Sessions.Where(s => s.Id == sessionId)
                .ExecuteUpdateAsync(u => u.SetProperty(s => s.LastSeenAt, lastSeenAt).SetProperty(s => s.ExpiresAt, expiresAt), cancellationToken);
        }
    }

    /// <inheritdoc />
    public virtual async Task AddClientAsync(string sessionId, string clientId, CancellationToken cancellationToken = default)
    {
        // Insert if absent: the primary key (session, client) refuses a duplicate written by a concurrent request, which is
        // then the same fact recorded twice; a session that ended meanwhile has nothing left to record on.
        var clients = _context.Set<DeviceSessionClientEntity>();
        // (FirstOrDefault rather than Any: a keyed LIMIT 1 read, which every provider plans as an index seek.)
        if (await clients.Where(c => c.SessionId == sessionId && c.ClientId == clientId).Select(c => c.ClientId).FirstOrDefaultAsync(cancellationToken) is not null
            || await Sessions.Where(s => s.Id == sessionId).Select(s => s.Id).FirstOrDefaultAsync(cancellationToken) is null)
        {
            return;
        }

        var row = clients.Add(new DeviceSessionClientEntity { SessionId = sessionId, ClientId = clientId });
        try
        {
            await _context.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException exception) when (UniqueConstraintViolation.Is(exception) || UniqueConstraintViolation.IsForeignKey(exception))
        {
            Log.ClientAlreadyRecorded(_logger, sessionId, clientId);
        }
        finally
        {
            row.State = EntityState.Detached;
        }
    }

    /// <inheritdoc />
    public virtual async Task<IReadOnlyList<string>> ListClientsAsync(string sessionId, CancellationToken cancellationToken = default) =>
        await _context.Set<DeviceSessionClientEntity>().AsNoTracking()
            .Where(c => c.SessionId == sessionId)
            .OrderBy(c => c.ClientId)
            .Select(c => c.ClientId)
            .ToListAsync(cancellationToken);

    /// <summary>
    /// Writes the logout outbox rows of the sessions that <paramref name="ending"/> matches: one per session and client that
    /// received tokens through it. Called inside the transaction that ends them, before they are deleted, so that the end of a
    /// session and its notifications commit together or not at all, and only once.
    /// </summary>
    protected virtual async Task EnqueueLogoutNotificationsAsync(Expression<Func<DeviceSessionEntity, bool>> ending, CancellationToken cancellationToken)
    {
        // Lock the rows first (an update that changes nothing): a concurrent transaction ending the same sessions (the cleanup on
        // another instance, a second revoke) waits here, then finds them gone and writes no second notification.
        if (await Sessions.Where(ending).ExecuteUpdateAsync(u => u.SetProperty(s => s.Slot, s => s.Slot), cancellationToken) == 0)
        {
            return;
        }

        var rows = await (from s in Sessions.Where(ending)
                          join c in _context.Set<DeviceSessionClientEntity>() on s.Id equals c.SessionId
                          select new { s.Id, s.UserId, c.ClientId })
            .ToListAsync(cancellationToken);
        if (rows.Count == 0)
        {
            return;
        }

        var now = _time.GetUtcNow();
        var outbox = rows.Select(r => new LogoutNotificationEntity
        {
            Id = IdentityServer.MultiSession.Sessions.DeviceSecret.CreateId(),
            SessionId = r.Id,
            Subject = r.UserId,
            ClientId = r.ClientId,
            Status = LogoutNotificationStatus.Pending,
            NextAttemptAt = now,
            CreatedAt = now,
        }).ToList();
        var set = _context.Set<LogoutNotificationEntity>();
        set.AddRange(outbox);
        await _context.SaveChangesAsync(cancellationToken);
        foreach (var row in outbox)
        {
            _context.Entry(row).State = EntityState.Detached;
        }
    }

    /// <inheritdoc />
    public virtual Task<DeviceSessionEntity?> FindByIdAsync(string sessionId, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        Sessions.AsNoTracking().FirstOrDefaultAsync(s => s.Id == sessionId && s.ExpiresAt > now, cancellationToken);

    /// <inheritdoc />
    public virtual async Task<int> RemoveExpiredAsync(DateTimeOffset now, int batchSize, CancellationToken cancellationToken = default)
    {
        await using var transaction = await _context.Database.BeginTransactionAsync(cancellationToken);
        var ids = await Sessions.Where(s => s.ExpiresAt <= now).OrderBy(s => s.ExpiresAt).Select(s => s.Id).Take(batchSize).ToListAsync(cancellationToken);
        await EnqueueLogoutNotificationsAsync(s => ids.Contains(s.Id), cancellationToken);
        var removed = ids.Count == 0 ? 0 : await Sessions.Where(s => ids.Contains(s.Id)).ExecuteDeleteAsync(cancellationToken);

        // Devices left without any session hold no account: remove them, a batch at a time.
        var emptyDevices = await Devices.Where(d => !d.Sessions.Any()).OrderBy(d => d.Id).Select(d => d.Id).Take(batchSize).ToListAsync(cancellationToken);
        if (emptyDevices.Count > 0)
        {
            await Devices.Where(d => emptyDevices.Contains(d.Id) && !d.Sessions.Any()).ExecuteDeleteAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return removed;
    }
}
