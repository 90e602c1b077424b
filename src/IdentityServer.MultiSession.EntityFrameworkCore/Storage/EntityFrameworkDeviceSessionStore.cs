using System.Data.Common;
using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using IdentityServer.MultiSession.Sessions;
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
    private readonly IUniqueConstraintViolationDetector[] _detectors;
    private readonly TimeProvider _time;

    /// <summary>Creates the store over <paramref name="context"/>.</summary>
    /// <param name="context">The host's DbContext.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="detectors">Recognise the provider's unique-constraint violations (a lost race, retried).</param>
    /// <param name="time">The clock of the logout outbox (when a notification was queued and is due).</param>
    public EntityFrameworkDeviceSessionStore(
        TContext context,
        ILogger<EntityFrameworkDeviceSessionStore<TContext>> logger,
        IEnumerable<IUniqueConstraintViolationDetector> detectors,
        TimeProvider time)
    {
        _context = context;
        _logger = logger;
        _detectors = (detectors ?? []).ToArray();
        _time = time;
    }

    // A compiled query belongs to the model it first ran with; one context type may have several (one per database provider).
    private static readonly ConditionalWeakTable<IModel, Func<TContext, string, string?, CancellationToken, Task<FoundRow?>>> FindQueries = [];

    private DbSet<DeviceEntity> Devices => _context.Set<DeviceEntity>();

    private DbSet<DeviceSessionEntity> Sessions => _context.Set<DeviceSessionEntity>();

    private DbSet<RememberedAccountEntity> Remembered => _context.Set<RememberedAccountEntity>();

    /// <inheritdoc />
    public virtual async Task<DeviceLookup?> FindAsync(string secretHash, string? sessionId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        // One round trip and two index seeks, whatever the number of sessions stored (BEHAVIOUR.md §7): the device by its unique
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
                 select new FoundRow(d, s))
                .FirstOrDefault()));
        var row = await find(_context, secretHash, sessionId, cancellationToken);
        if (row is null)
        {
            return null;
        }

        return new DeviceLookup(row.Device.ToRecord(), row.Session is { } session && session.ExpiresAt > now ? session.ToRecord() : null);
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

        return new DeviceSessionList(rows[0].Session.DeviceId, rows[0].ActiveSessionId, rows.Select(r => r.Session.ToRecord()).ToList());
    }

    /// <inheritdoc />
    public virtual async Task<DeviceSignInResult> SignInAsync(DeviceSignInRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await InTransactionAsync(() => TrySignInAsync(request, cancellationToken), cancellationToken);
            }
            catch (DbUpdateException exception) when (attempt < MaximumAttempts && IsUniqueConstraintViolation(exception))
            {
                // A concurrent sign-in took the slot or the user's place first: the unique indexes refused this one.
                // Read the device again and decide anew (its secret has moved on, so this one is then refused as superseded).
                Log.SignInConflict(_logger, attempt, exception.InnerException?.GetType().Name ?? exception.GetType().Name);
                _context.ChangeTracker.Clear();
                await Task.Delay(Random.Shared.Next(5, 20 * attempt), cancellationToken);
            }
        }
    }

    private async Task<DeviceSignInResult> TrySignInAsync(DeviceSignInRequest request, CancellationToken cancellationToken)
    {
        var now = request.Now;

        // A retry starts from a clean change tracker (the entities written below are created afresh by each attempt).
        _context.ChangeTracker.Clear();
        var current = request.CurrentSecretHash;
        var newHash = request.NewSecretHash;

        var device = current is null
            ? null
            : await Devices.AsNoTracking().FirstOrDefaultAsync(d => d.SecretHash == current, cancellationToken);

        if (device is null && current is not null && request.SupersededAfter is { } since
            && await Devices.AnyAsync(d => d.PreviousSecretHash == current && d.SecretRotatedAt > since, cancellationToken))
        {
            // Another sign-in of this browser replaced the secret moments ago: this one raced with it and writes nothing.
            return Refused(DeviceSignInOutcome.Superseded);
        }

        List<DeviceSessionEntity> live = [];
        List<EndedSession> expired = [];
        if (device is not null)
        {
            // A new secret on every sign-in (session fixation). The update names the secret read above: of several sign-ins
            // racing with one secret, exactly one replaces it (the others wait for its row lock, then match nothing).
            var rotated = await Devices
                .Where(d => d.Id == device.Id && d.SecretHash == current)
                .ExecuteUpdateAsync(
                    u => u.SetProperty(d => d.SecretHash, newHash)
                        .SetProperty(d => d.PreviousSecretHash, current)
                        .SetProperty(d => d.SecretRotatedAt, now)
                        .SetProperty(d => d.LastSeenAt, now),
                    cancellationToken);
            if (rotated == 0)
            {
                return Refused(DeviceSignInOutcome.Superseded);
            }

            // The device's sessions in one read: the expired ones end here (with their notifications), the others are live.
            live = await Sessions.Where(s => s.DeviceId == device.Id).ToListAsync(cancellationToken);
            if (live.Any(s => s.ExpiresAt <= now))
            {
                await EnqueueLogoutNotificationsAsync(s => s.DeviceId == device.Id && s.ExpiresAt <= now, cancellationToken);
                expired = await Sessions.AsNoTracking().Where(s => s.DeviceId == device.Id && s.ExpiresAt <= now)
                    .Select(s => new EndedSession(s.Id, s.UserId) { DeviceId = s.DeviceId })
                    .ToListAsync(cancellationToken);
                await Sessions.Where(s => s.DeviceId == device.Id && s.ExpiresAt <= now).ExecuteDeleteAsync(cancellationToken);
                _context.ChangeTracker.Clear();
                live = await Sessions.Where(s => s.DeviceId == device.Id).ToListAsync(cancellationToken);
            }


            // An account signed in again is no longer "signed out" on this device: its remembered entry goes.
            var (email, userName) = (request.Session.Email, request.Session.UserName);
            await Remembered.Where(r => r.DeviceId == device.Id && (r.LoginName == email || r.LoginName == userName)).ExecuteDeleteAsync(cancellationToken);
        }
        else if (request.Refresh)
        {
            return Refused(DeviceSignInOutcome.SessionGone);
        }
        else
        {
            device = new DeviceEntity { Id = request.NewDeviceId, SecretHash = newHash, CreatedAt = now, LastSeenAt = now };
            Devices.Add(device);
            await _context.SaveChangesAsync(cancellationToken);
        }

        var session = request.Session;
        var existing = live.FirstOrDefault(s => s.UserId == session.UserId);
        if (existing is not null)
        {
            // The same user again (re-authentication or a refresh) renews that session in place: same slot, same sid, its
            // clients kept, and no second slot, whatever the limit says (a lowered limit included).
            Renew(existing, session, request.Refresh, now);
            await Devices.Where(d => d.Id == device.Id)
                .ExecuteUpdateAsync(u => u.SetProperty(d => d.ActiveSessionId, existing.Id), cancellationToken);
            await _context.SaveChangesAsync(cancellationToken);
            _context.ChangeTracker.Clear();
            return new DeviceSignInResult(existing.ToRecord(), true, existing.Id, []) { Outcome = DeviceSignInOutcome.Renewed, SessionCount = live.Count, ExpiredSessions = expired };
        }

        if (request.Refresh)
        {
            return Refused(DeviceSignInOutcome.SessionGone);
        }

        var evicted = new List<string>();
        var evictedSessions = new List<EndedSession>();
        if (existing is null && live.Count >= request.MaximumSessions)
        {
            // Only a new account is limited; re-authenticating one already here is not, even above a lowered limit. An
            // eviction makes room for one account on a device exactly at the limit; above it (the limit was lowered) nobody
            // is evicted: the device gets under the limit by signing out.
            if (request.OnLimitReached == LimitReachedBehavior.Reject || live.Count > request.MaximumSessions)
            {
                return Refused(DeviceSignInOutcome.LimitReached) with { SessionCount = live.Count };
            }

            var victim = live.OrderBy(s => s.LastSeenAt).First();
            await EnqueueLogoutNotificationsAsync(s => s.Id == victim.Id, cancellationToken);
            await Sessions.Where(s => s.Id == victim.Id).ExecuteDeleteAsync(cancellationToken);
            evicted.Add(victim.Id);
            evictedSessions.Add(new EndedSession(victim.Id, victim.UserId) { DeviceId = victim.DeviceId });
            live.Remove(victim);
        }

        var taken = live.Select(s => s.Slot).ToHashSet();
        var slot = existing?.Slot ?? Enumerable.Range(0, request.MaximumSessions).First(i => !taken.Contains(i));

        Sessions.Add(session.ToEntity(device.Id, slot));
        await _context.SaveChangesAsync(cancellationToken);
        var sessionId = session.Id;
        await Devices.Where(d => d.Id == device.Id)
            .ExecuteUpdateAsync(u => u.SetProperty(d => d.ActiveSessionId, sessionId).SetProperty(d => d.LastSeenAt, now), cancellationToken);
        _context.ChangeTracker.Clear();
        return new DeviceSignInResult(session with { DeviceId = device.Id }, true, null, evicted)
        {
            SessionCount = live.Count + 1,
            EvictedSessions = evictedSessions,
            ExpiredSessions = expired,
        };
    }

    private static DeviceSignInResult Refused(DeviceSignInOutcome outcome) =>
        new(null, false, null, []) { Outcome = outcome };

    private static void Renew(DeviceSessionEntity existing, StoredDeviceSession fresh, bool refresh, DateTimeOffset now)
    {
        existing.UserName = fresh.UserName;
        existing.DisplayName = fresh.DisplayName;
        existing.Email = fresh.Email;
        existing.Ticket = fresh.Ticket;
        existing.SecurityStampHash = fresh.SecurityStampHash;
        existing.LastSeenAt = now;
        existing.LastValidatedAt = now;
        existing.Browser = fresh.Browser;
        existing.OperatingSystem = fresh.OperatingSystem;
        existing.IpAddress = fresh.IpAddress;
        if (!refresh)
        {
            // Only a real authentication moves auth_time (and restarts the absolute lifetime).
            existing.AuthenticatedAt = fresh.AuthenticatedAt;
            existing.AuthenticationMethods = fresh.AuthenticationMethods;
            existing.AbsoluteExpiresAt = fresh.AbsoluteExpiresAt;
            existing.ExpiresAt = fresh.ExpiresAt;
        }
        else
        {
            var sliding = fresh.ExpiresAt;
            existing.ExpiresAt = existing.AbsoluteExpiresAt is { } cap && cap < sliding ? cap : sliding;
        }
    }

    /// <summary>
    /// Runs <paramref name="operation"/> in one transaction through the provider's execution strategy, so that a provider
    /// configured to retry on transient failures (<c>EnableRetryOnFailure</c>) retries the whole unit, never half of it.
    /// A result of a refused operation is rolled back (it wrote nothing, or only what it must undo).
    /// </summary>
    private Task<T> InTransactionAsync<T>(Func<Task<T>> operation, CancellationToken cancellationToken)
    {
        var strategy = _context.Database.CreateExecutionStrategy();
        return strategy.ExecuteAsync(
            operation,
            async (_, run, token) =>
            {
                _context.ChangeTracker.Clear();
                await using var transaction = await _context.Database.BeginTransactionAsync(token);
                var result = await run();
                if (result is DeviceSignInResult { Session: null } or null)
                {
                    await transaction.RollbackAsync(token);
                }
                else
                {
                    await transaction.CommitAsync(token);
                }

                return result;
            },
            verifySucceeded: null,
            cancellationToken);
    }

    private bool IsUniqueConstraintViolation(DbUpdateException exception) =>
        exception.InnerException is DbException db && _detectors.Any(d => d.IsUniqueConstraintViolation(db));

    /// <inheritdoc />
    public virtual async Task<StoredDeviceSession?> SetActiveAsync(string secretHash, string handle, DateTimeOffset now, CancellationToken cancellationToken = default)
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

        return session.ToRecord();
    }

    /// <inheritdoc />
    public virtual async Task<StoredDeviceSession?> ActivateMostRecentAsync(string deviceId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var next = await Sessions.AsNoTracking()
            .Where(s => s.DeviceId == deviceId && s.ExpiresAt > now)
            .OrderByDescending(s => s.LastSeenAt)
            .ThenByDescending(s => s.CreatedAt)
            .FirstOrDefaultAsync(cancellationToken);
        var nextId = next?.Id;
        await Devices.Where(d => d.Id == deviceId)
            .ExecuteUpdateAsync(u => u.SetProperty(d => d.ActiveSessionId, nextId), cancellationToken);
        return next?.ToRecord();
    }

    /// <inheritdoc />
    public virtual async Task<bool> ClearActiveSessionAsync(string deviceId, CancellationToken cancellationToken = default) =>
        await Devices.Where(d => d.Id == deviceId)
            .ExecuteUpdateAsync(u => u.SetProperty(d => d.ActiveSessionId, (string?)null), cancellationToken) > 0;

    /// <inheritdoc />
    public virtual Task<DeviceRevocation?> RevokeAsync(string secretHash, string handle, DateTimeOffset now, bool remember, CancellationToken cancellationToken = default) =>
        InTransactionAsync(() => TryRevokeAsync(secretHash, handle, now, remember, cancellationToken), cancellationToken);

    private async Task<DeviceRevocation?> TryRevokeAsync(string secretHash, string handle, DateTimeOffset now, bool remember, CancellationToken cancellationToken)
    {
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

        if (remember && (session.Email ?? session.UserName) is { } loginName)
        {
            // The account stays in this device's picker as "signed out": its name, login name and the time, nothing else.
            await Remembered.Where(r => r.DeviceId == session.DeviceId && r.LoginName == loginName).ExecuteDeleteAsync(cancellationToken);
            var entry = Remembered.Add(new RememberedAccountEntity
            {
                Id = IdentityServer.MultiSession.Sessions.DeviceSecret.CreateId(),
                DeviceId = session.DeviceId,
                DisplayName = session.DisplayName ?? loginName,
                LoginName = loginName,
                SignedOutAt = now,
            });
            await _context.SaveChangesAsync(cancellationToken);
            entry.State = EntityState.Detached;
        }

        var remaining = await Sessions.AsNoTracking()
            .Where(s => s.DeviceId == session.DeviceId && s.ExpiresAt > now)
            .OrderByDescending(s => s.LastSeenAt)
            .ThenByDescending(s => s.CreatedAt)
            .Select(s => s.Id)
            .FirstOrDefaultAsync(cancellationToken);

        var revoked = session.ToRecord();
        DeviceRevocation result;
        if (remaining is null && await Remembered.AnyAsync(r => r.DeviceId == session.DeviceId, cancellationToken))
        {
            // No account is signed in any more, but the device still lists accounts signed out on it: it stays, signed out.
            await Devices.Where(d => d.Id == session.DeviceId)
                .ExecuteUpdateAsync(u => u.SetProperty(d => d.ActiveSessionId, (string?)null), cancellationToken);
            result = new DeviceRevocation(revoked, null, false);
        }
        else if (remaining is null)
        {
            await Sessions.Where(s => s.DeviceId == session.DeviceId).ExecuteDeleteAsync(cancellationToken);
            await Devices.Where(d => d.Id == session.DeviceId).ExecuteDeleteAsync(cancellationToken);
            result = new DeviceRevocation(revoked, null, true);
        }
        else
        {
            // If the revoked session was active, the most recently used remaining one becomes active (BEHAVIOUR.md §3.6).
            var moved = await Devices.Where(d => d.Id == session.DeviceId && (d.ActiveSessionId == session.Id || d.ActiveSessionId == null))
                .ExecuteUpdateAsync(u => u.SetProperty(d => d.ActiveSessionId, remaining), cancellationToken);
            var active = await Devices.AsNoTracking().Where(d => d.Id == session.DeviceId).Select(d => d.ActiveSessionId).FirstOrDefaultAsync(cancellationToken);
            result = new DeviceRevocation(revoked, active, false) { ActiveChanged = moved > 0 };
        }

        return result;
    }

    /// <inheritdoc />
    public virtual Task<IReadOnlyList<EndedSession>> RevokeAllAsync(string secretHash, CancellationToken cancellationToken = default) =>
        InTransactionAsync<IReadOnlyList<EndedSession>>(
            async () =>
            {
                // The outbox write locks the rows first: the sessions read next are exactly those this transaction ends.
                await EnqueueLogoutNotificationsAsync(s => s.Device!.SecretHash == secretHash, cancellationToken);
                var ended = await Sessions.AsNoTracking().Where(s => s.Device!.SecretHash == secretHash)
                    .Select(s => new EndedSession(s.Id, s.UserId) { DeviceId = s.DeviceId })
                    .ToListAsync(cancellationToken);
                await Sessions.Where(s => s.Device!.SecretHash == secretHash).ExecuteDeleteAsync(cancellationToken);
                await Remembered.Where(r => Devices.Any(d => d.Id == r.DeviceId && d.SecretHash == secretHash)).ExecuteDeleteAsync(cancellationToken);
                await Devices.Where(d => d.SecretHash == secretHash).ExecuteDeleteAsync(cancellationToken);
                return ended;
            },
            cancellationToken);

    /// <inheritdoc />
    public virtual Task<IReadOnlyList<EndedSession>> EndUserSessionsAsync(string userId, bool staleOnly, string? currentStampHash, CancellationToken cancellationToken = default) =>
        InTransactionAsync(
            async () =>
            {
                Expression<Func<DeviceSessionEntity, bool>> filter = staleOnly
                    ? s => s.UserId == userId && (s.SecurityStampHash == null || s.SecurityStampHash != currentStampHash)
                    : s => s.UserId == userId;

                // Lock the rows first (an update that changes nothing, as the outbox write does), then read them: exactly the
                // sessions this transaction ends, none that a concurrent one ended meanwhile.
                await Sessions.Where(filter).ExecuteUpdateAsync(u => u.SetProperty(s => s.Slot, s => s.Slot), cancellationToken);
                IReadOnlyList<EndedSession> ended = await Sessions.AsNoTracking().Where(filter)
                    .Select(s => new EndedSession(s.Id, s.UserId) { DeviceId = s.DeviceId })
                    .ToListAsync(cancellationToken);
                await RevokeWhereAsync(filter, cancellationToken);
                return ended;
            },
            cancellationToken);

    /// <inheritdoc />
    public virtual Task<int> RemoveSessionAsync(string sessionId, CancellationToken cancellationToken = default) =>
        InTransactionAsync(() => RevokeWhereAsync(s => s.Id == sessionId, cancellationToken), cancellationToken);

    /// <summary>
    /// Ends the sessions <paramref name="filter"/> selects, on every device; each device's active session moves to its most
    /// recently used remaining one, and a device left without sessions is removed. Runs inside the caller's transaction.
    /// </summary>
    private async Task<int> RevokeWhereAsync(Expression<Func<DeviceSessionEntity, bool>> filter, CancellationToken cancellationToken)
    {
        var deviceIds = await Sessions.Where(filter).Select(s => s.DeviceId).Distinct().ToListAsync(cancellationToken);
        await EnqueueLogoutNotificationsAsync(filter, cancellationToken);
        var count = await Sessions.Where(filter).ExecuteDeleteAsync(cancellationToken);
        foreach (var deviceId in deviceIds)
        {
            var remaining = await Sessions.AsNoTracking()
                .Where(s => s.DeviceId == deviceId)
                .OrderByDescending(s => s.LastSeenAt)
                .Select(s => s.Id)
                .FirstOrDefaultAsync(cancellationToken);
            if (remaining is null)
            {
                // A device that still lists accounts signed out on it stays (signed out); any other empty device goes.
                await Devices.Where(d => d.Id == deviceId && !Remembered.Any(r => r.DeviceId == d.Id)).ExecuteDeleteAsync(cancellationToken);
                await Devices.Where(d => d.Id == deviceId)
                    .ExecuteUpdateAsync(u => u.SetProperty(d => d.ActiveSessionId, (string?)null), cancellationToken);
            }
            else
            {
                // A device whose active session ended has none until its next request, which makes the most recently used
                // remaining one active (one that the switch policy lets become active without authenticating again). A device
                // left without an active account on purpose keeps it that way.
                await Devices.Where(d => d.Id == deviceId && d.ActiveSessionId != null && !d.Sessions.Any(s => s.Id == d.ActiveSessionId))
                    .ExecuteUpdateAsync(u => u.SetProperty(d => d.ActiveSessionId, (string?)null), cancellationToken);
            }
        }

        return count;
    }

    /// <inheritdoc />
    public virtual async Task<bool> UpdateTicketAsync(string sessionId, byte[] ticket, string? securityStampHash, DateTimeOffset validatedAt, CancellationToken cancellationToken = default) =>
        await Sessions.Where(s => s.Id == sessionId)
            .ExecuteUpdateAsync(
                u => u.SetProperty(s => s.Ticket, ticket).SetProperty(s => s.SecurityStampHash, securityStampHash).SetProperty(s => s.LastValidatedAt, validatedAt),
                cancellationToken) > 0;

    /// <inheritdoc />
    public virtual async Task<bool> TouchAsync(string sessionId, DateTimeOffset lastSeenAt, DateTimeOffset expiresAt, string? secretHash = null, CancellationToken cancellationToken = default)
    {
        // With a secret hash, the write also says whether that secret is still the device's current one (one statement).
        var sessions = secretHash is null
            ? Sessions.Where(s => s.Id == sessionId)
            : Sessions.Where(s => s.Id == sessionId && s.Device!.SecretHash == secretHash);
        return await sessions
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.LastSeenAt, lastSeenAt).SetProperty(s => s.ExpiresAt, expiresAt), cancellationToken) > 0;
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
        catch (DbUpdateException exception) when (exception.InnerException is DbException)
        {
            // A concurrent request recorded the same client (a unique violation), or the session ended meanwhile (a foreign-key
            // violation, whose code differs per provider): both leave nothing to record. Anything else propagates.
            row.State = EntityState.Detached;
            if (!IsUniqueConstraintViolation(exception)
                && await Sessions.Where(s => s.Id == sessionId).Select(s => s.Id).FirstOrDefaultAsync(cancellationToken) is not null)
            {
                throw;
            }

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
    private async Task EnqueueLogoutNotificationsAsync(Expression<Func<DeviceSessionEntity, bool>> ending, CancellationToken cancellationToken)
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
    public virtual async Task<StoredDeviceSession?> FindByIdAsync(string sessionId, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        (await Sessions.AsNoTracking().FirstOrDefaultAsync(s => s.Id == sessionId && s.ExpiresAt > now, cancellationToken))?.ToRecord();

    /// <inheritdoc />
    public virtual Task<IReadOnlyList<EndedSession>> RemoveExpiredSessionsAsync(DateTimeOffset now, int batchSize, CancellationToken cancellationToken = default) =>
        InTransactionAsync<IReadOnlyList<EndedSession>>(
            async () =>
            {
                var ids = await Sessions.Where(s => s.ExpiresAt <= now).OrderBy(s => s.ExpiresAt).Select(s => s.Id).Take(batchSize).ToListAsync(cancellationToken);
                await EnqueueLogoutNotificationsAsync(s => ids.Contains(s.Id), cancellationToken);

                // Read after the outbox write locked the rows: a batch another instance removed meanwhile is not reported twice.
                IReadOnlyList<EndedSession> removed = ids.Count == 0
                    ? []
                    : await Sessions.AsNoTracking().Where(s => ids.Contains(s.Id))
                        .Select(s => new EndedSession(s.Id, s.UserId) { DeviceId = s.DeviceId })
                        .ToListAsync(cancellationToken);
                if (removed.Count > 0)
                {
                    await Sessions.Where(s => ids.Contains(s.Id)).ExecuteDeleteAsync(cancellationToken);
                }

                // Devices left without any session hold no account: remove them (unless they still list accounts signed out
                // on them, which the remembered-account cleanup removes when they expire). A full batch looks only at the
                // devices of the sessions it removed; the last batch of a pass (not full) also sweeps the table, a batch at
                // a time, for devices emptied another way (their remembered accounts expired). Sweeping on every batch
                // scanned every remaining device per batch, which made removing 10^6 sessions several times slower.
                var touched = removed.Select(s => s.DeviceId).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
                if (touched.Count > 0)
                {
                    await Devices.Where(d => touched.Contains(d.Id) && !d.Sessions.Any() && !Remembered.Any(r => r.DeviceId == d.Id)).ExecuteDeleteAsync(cancellationToken);
                }

                if (ids.Count < batchSize)
                {
                    var emptyDevices = await Devices.Where(d => !d.Sessions.Any() && !Remembered.Any(r => r.DeviceId == d.Id)).OrderBy(d => d.Id).Select(d => d.Id).Take(batchSize).ToListAsync(cancellationToken);
                    if (emptyDevices.Count > 0)
                    {
                        await Devices.Where(d => emptyDevices.Contains(d.Id) && !d.Sessions.Any() && !Remembered.Any(r => r.DeviceId == d.Id)).ExecuteDeleteAsync(cancellationToken);
                    }
                }

                return removed;
            },
            cancellationToken);

    /// <inheritdoc />
    public virtual async Task<IReadOnlyList<UserSessionRow>> ListUserSessionsAsync(string userId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var sessions = await Sessions.AsNoTracking()
            .Where(s => s.UserId == userId && s.ExpiresAt > now)
            .OrderByDescending(s => s.LastSeenAt)
            .ThenByDescending(s => s.CreatedAt)
            .Take(1000)
            .ToListAsync(cancellationToken);
        if (sessions.Count == 0)
        {
            return [];
        }

        var ids = sessions.Select(s => s.Id).ToList();
        var clients = await _context.Set<DeviceSessionClientEntity>().AsNoTracking()
            .Where(c => ids.Contains(c.SessionId))
            .Select(c => new { c.SessionId, c.ClientId })
            .ToListAsync(cancellationToken);
        var bySession = clients.ToLookup(c => c.SessionId, c => c.ClientId);
        return sessions.Select(s => new UserSessionRow(s.ToRecord(), bySession[s.Id].Order(StringComparer.Ordinal).ToList())).ToList();
    }

    /// <inheritdoc />
    public virtual Task<StoredDeviceSession?> RevokeUserSessionAsync(string userId, string sessionId, CancellationToken cancellationToken = default) =>
        InTransactionAsync(
            async () =>
            {
                var session = await Sessions.AsNoTracking().FirstOrDefaultAsync(s => s.Id == sessionId && s.UserId == userId, cancellationToken);
                return session is not null && await RevokeWhereAsync(s => s.Id == sessionId && s.UserId == userId, cancellationToken) > 0 ? session.ToRecord() : null;
            },
            cancellationToken);

    /// <inheritdoc />
    public virtual async Task<IReadOnlyList<StoredDeviceSession>> RevokeUserSessionsExceptAsync(string userId, string keptSessionId, CancellationToken cancellationToken = default) =>
        await InTransactionAsync<IReadOnlyList<StoredDeviceSession>>(
            async () =>
            {
                Expression<Func<DeviceSessionEntity, bool>> filter = s => s.UserId == userId && s.Id != keptSessionId;

                // Lock the rows before reading them, as EndUserSessionsAsync does: a session that a concurrent cleanup or
                // revocation ended meanwhile is not reported (and its events raised) twice.
                await Sessions.Where(filter).ExecuteUpdateAsync(u => u.SetProperty(s => s.Slot, s => s.Slot), cancellationToken);
                var ending = await Sessions.AsNoTracking().Where(filter).ToListAsync(cancellationToken);
                if (ending.Count > 0)
                {
                    await RevokeWhereAsync(filter, cancellationToken);
                }

                return ending.Select(s => s.ToRecord()).ToList();
            },
            cancellationToken);

    /// <inheritdoc />
    public virtual async Task<MultiSessionStatistics> GetStatisticsAsync(DateTimeOffset now, int maximumSessions, CancellationToken cancellationToken = default)
    {
        var live = Sessions.AsNoTracking().Where(s => s.ExpiresAt > now);
        var sessions = await live.CountAsync(cancellationToken);
        var devices = await live.Select(s => s.DeviceId).Distinct().CountAsync(cancellationToken);
        var atLimit = await live.GroupBy(s => s.DeviceId).Where(g => g.Count() >= maximumSessions).CountAsync(cancellationToken);
        var notifications = _context.Set<LogoutNotificationEntity>().AsNoTracking();
        var pending = await notifications.CountAsync(n => n.Status == LogoutNotificationStatus.Pending, cancellationToken);
        var failed = await notifications.CountAsync(n => n.Status == LogoutNotificationStatus.Failed, cancellationToken);
        return new MultiSessionStatistics(sessions, devices, atLimit, pending, failed);
    }

    /// <summary>The device and session rows of <see cref="FindAsync"/>'s one query, mapped to records after expiry is checked.</summary>
    private sealed record FoundRow(DeviceEntity Device, DeviceSessionEntity? Session);
}
