using IdentityServer.MultiSession.Sessions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace IdentityServer.MultiSession.Storage;

/// <summary>
/// Decorates the store with the device lookup cache: <see cref="FindAsync"/> of the active session, on a request that
/// <see cref="DeviceLookupCachePolicy"/> allows, is served from <see cref="DeviceLookupCache"/> while it is usable; every write
/// invalidates the entries it may change, on this instance, before it returns. Other instances learn of the write through the
/// database (<c>PostgreSqlDeviceChangeListener</c> (EF Core package)).
/// </summary>
internal sealed class DeviceLookupCachingStore : IDeviceSessionStore
{
    private readonly IDeviceSessionStore _inner;
    private readonly DeviceLookupCache _cache;
    private readonly IHttpContextAccessor _http;
    private readonly IOptionsMonitor<MultiSessionOptions> _options;
    private readonly Func<string?> _providerName;

    public DeviceLookupCachingStore(
        IDeviceSessionStore inner,
        DeviceLookupCache cache,
        IHttpContextAccessor http,
        IOptionsMonitor<MultiSessionOptions> options,
        Func<string?> providerName)
    {
        _inner = inner;
        _cache = cache;
        _http = http;
        _options = options;
        _providerName = providerName;
    }

    public async Task<DeviceLookup?> FindAsync(string secretHash, string? sessionId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var options = _options.CurrentValue;
        if (options.DeviceLookupCache != DeviceLookupCacheMode.On || sessionId is not null)
        {
            return await _inner.FindAsync(secretHash, sessionId, now, cancellationToken);
        }

        if (_cache.Channel == DeviceLookupCacheChannel.Undecided)
        {
            _cache.DecideChannel(_providerName());
        }

        if (!_cache.IsUsable() || !DeviceLookupCachePolicy.Allows(_http.HttpContext, options))
        {
            return await _inner.FindAsync(secretHash, sessionId, now, cancellationToken);
        }

        if (_cache.TryGet(secretHash, now, out var cached))
        {
            return cached;
        }

        var generation = _cache.Generation;
        var lookup = await _inner.FindAsync(secretHash, sessionId, now, cancellationToken);
        if (lookup is not null)
        {
            _cache.TryAdd(secretHash, lookup, generation, options.DeviceLookupCacheSize);
        }

        return lookup;
    }

    public Task<DeviceSessionList> ListAsync(string secretHash, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        _inner.ListAsync(secretHash, now, cancellationToken);

    public async Task<DeviceSignInResult> SignInAsync(DeviceSignInRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        DeviceSignInResult? result = null;
        try
        {
            result = await _inner.SignInAsync(request, cancellationToken);
            return result;
        }
        finally
        {
            // The old secret was replaced (or a racing sign-in replaced it); the device's active session changed.
            _cache.InvalidateHash(request.CurrentSecretHash);
            _cache.InvalidateDevice(result?.Session?.DeviceId);
        }
    }

    public async Task<StoredDeviceSession?> SetActiveAsync(string secretHash, string handle, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        try
        {
            return await _inner.SetActiveAsync(secretHash, handle, now, cancellationToken);
        }
        finally
        {
            _cache.InvalidateHash(secretHash);
        }
    }

    public async Task<StoredDeviceSession?> ActivateMostRecentAsync(string deviceId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        try
        {
            return await _inner.ActivateMostRecentAsync(deviceId, now, cancellationToken);
        }
        finally
        {
            _cache.InvalidateDevice(deviceId);
        }
    }

    public async Task<DeviceRevocation?> RevokeAsync(string secretHash, string handle, DateTimeOffset now, bool remember, CancellationToken cancellationToken = default)
    {
        try
        {
            return await _inner.RevokeAsync(secretHash, handle, now, remember, cancellationToken);
        }
        finally
        {
            _cache.InvalidateHash(secretHash);
        }
    }

    public async Task<IReadOnlyList<EndedSession>> RevokeAllAsync(string secretHash, CancellationToken cancellationToken = default)
    {
        try
        {
            return await _inner.RevokeAllAsync(secretHash, cancellationToken);
        }
        finally
        {
            _cache.InvalidateHash(secretHash);
        }
    }

    public async Task<int> RemoveSessionAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        try
        {
            return await _inner.RemoveSessionAsync(sessionId, cancellationToken);
        }
        finally
        {
            _cache.InvalidateSession(sessionId);
        }
    }

    public async Task<bool> UpdateTicketAsync(string sessionId, byte[] ticket, string? securityStampHash, DateTimeOffset validatedAt, CancellationToken cancellationToken = default)
    {
        try
        {
            return await _inner.UpdateTicketAsync(sessionId, ticket, securityStampHash, validatedAt, cancellationToken);
        }
        finally
        {
            _cache.InvalidateSession(sessionId);
        }
    }

    public async Task<bool> TouchAsync(string sessionId, DateTimeOffset lastSeenAt, DateTimeOffset expiresAt, string? secretHash = null, CancellationToken cancellationToken = default)
    {
        try
        {
            return await _inner.TouchAsync(sessionId, lastSeenAt, expiresAt, secretHash, cancellationToken);
        }
        finally
        {
            _cache.InvalidateSession(sessionId);
        }
    }

    public Task AddClientAsync(string sessionId, string clientId, CancellationToken cancellationToken = default) =>
        _inner.AddClientAsync(sessionId, clientId, cancellationToken);

    public Task<IReadOnlyList<string>> ListClientsAsync(string sessionId, CancellationToken cancellationToken = default) =>
        _inner.ListClientsAsync(sessionId, cancellationToken);

    public Task<StoredDeviceSession?> FindByIdAsync(string sessionId, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        _inner.FindByIdAsync(sessionId, now, cancellationToken);

    public Task<IReadOnlyList<UserSessionRow>> ListUserSessionsAsync(string userId, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        _inner.ListUserSessionsAsync(userId, now, cancellationToken);

    public async Task<StoredDeviceSession?> RevokeUserSessionAsync(string userId, string sessionId, CancellationToken cancellationToken = default)
    {
        try
        {
            return await _inner.RevokeUserSessionAsync(userId, sessionId, cancellationToken);
        }
        finally
        {
            _cache.InvalidateSession(sessionId);
        }
    }

    public async Task<IReadOnlyList<StoredDeviceSession>> RevokeUserSessionsExceptAsync(string userId, string keptSessionId, CancellationToken cancellationToken = default)
    {
        try
        {
            return await _inner.RevokeUserSessionsExceptAsync(userId, keptSessionId, cancellationToken);
        }
        finally
        {
            _cache.InvalidateUser(userId);
        }
    }

    public Task<MultiSessionStatistics> GetStatisticsAsync(DateTimeOffset now, int maximumSessions, CancellationToken cancellationToken = default) =>
        _inner.GetStatisticsAsync(now, maximumSessions, cancellationToken);

    public async Task<IReadOnlyList<EndedSession>> EndUserSessionsAsync(string userId, bool staleOnly, string? currentStampHash, CancellationToken cancellationToken = default)
    {
        try
        {
            return await _inner.EndUserSessionsAsync(userId, staleOnly, currentStampHash, cancellationToken);
        }
        finally
        {
            _cache.InvalidateUser(userId);
        }
    }

    public async Task<IReadOnlyList<EndedSession>> RemoveExpiredSessionsAsync(DateTimeOffset now, int batchSize, CancellationToken cancellationToken = default)
    {
        // Only the removed sessions' entries go (an expired entry is refused by its expiry anyway); clearing the whole cache
        // on every cleanup batch threw every live entry away with them.
        var removed = await _inner.RemoveExpiredSessionsAsync(now, batchSize, cancellationToken);
        foreach (var session in removed)
        {
            _cache.InvalidateSession(session.SessionId);
        }

        return removed;
    }

    public async Task<bool> ClearActiveSessionAsync(string deviceId, CancellationToken cancellationToken = default)
    {
        try
        {
            return await _inner.ClearActiveSessionAsync(deviceId, cancellationToken);
        }
        finally
        {
            _cache.InvalidateDevice(deviceId);
        }
    }
}
