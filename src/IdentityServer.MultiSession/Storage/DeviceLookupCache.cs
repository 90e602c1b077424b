using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IdentityServer.MultiSession.Storage;

/// <summary>
/// The in-process cache of device lookups (device secret hash → the device and its active session) that ordinary pages may
/// authenticate from when <see cref="MultiSessionOptions.DeviceLookupCache"/> is on. Bounded (least recently used dropped
/// first), indexed by device and session id so that any write invalidates its entry, and guarded by a generation number: a
/// lookup that read the database before an invalidation never stores its (possibly stale) result after it.
/// <para>
/// Whether the cache may be used at all depends on the change channel (<see cref="DeviceLookupCacheChannel"/>): on PostgreSQL
/// only while the listener is connected and has received one of its own heartbeats sent at most
/// <see cref="MultiSessionOptions.DeviceLookupCacheMaxStaleness"/> ago. PostgreSQL delivers notifications in commit order, so
/// every change committed before that heartbeat was sent has already been applied here: no entry served is staler than the bound.
/// </para>
/// </summary>
internal sealed class DeviceLookupCache
{
    private readonly object _gate = new();
    private readonly Dictionary<string, LinkedListNode<Entry>> _byHash = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _hashByDevice = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _hashBySession = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _recent = new();
    private readonly IOptionsMonitor<MultiSessionOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private long _generation;
    private long _hits;
    private long _misses;
    private long _invalidations;

    // The change channel (PostgreSQL): connected, when the current LISTEN began, and the send time of the newest own heartbeat
    // received (timestamps of _time).
    private volatile DeviceLookupCacheChannel _channel;
    private bool _connected;
    private long _listeningSince;
    private long _lastHeartbeatSent;

    public DeviceLookupCache(IOptionsMonitor<MultiSessionOptions> options, TimeProvider time, ILogger<DeviceLookupCache> logger)
    {
        _options = options;
        _time = time;
        _logger = logger;
    }

    public DeviceLookupCacheChannel Channel => _channel;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _byHash.Count;
            }
        }
    }

    public long Hits => Interlocked.Read(ref _hits);

    public long Misses => Interlocked.Read(ref _misses);

    public long Invalidations => Interlocked.Read(ref _invalidations);

    /// <summary>Sets the channel from the database provider's name, once (the first lookup does).</summary>
    public void DecideChannel(string? providerName)
    {
        if (_channel != DeviceLookupCacheChannel.Undecided)
        {
            return;
        }

        var channel = providerName switch
        {
            "Microsoft.EntityFrameworkCore.Sqlite" => DeviceLookupCacheChannel.Local,
            "Npgsql.EntityFrameworkCore.PostgreSQL" => DeviceLookupCacheChannel.Notifications,
            _ => DeviceLookupCacheChannel.None,
        };
        _channel = channel;
        Log.DeviceLookupCacheChannel(_logger, providerName ?? "(none)", channel.ToString());
    }

    /// <summary>Whether a lookup may be served from (and stored in) the cache now.</summary>
    public bool IsUsable()
    {
        if (_options.CurrentValue.DeviceLookupCache != DeviceLookupCacheMode.On)
        {
            return false;
        }

        switch (_channel)
        {
            case DeviceLookupCacheChannel.Local:
                return true;
            case DeviceLookupCacheChannel.Notifications:
                lock (_gate)
                {
                    return IsChannelFreshLocked();
                }

            default:
                return false;
        }
    }

    /// <summary>The generation to pass to <see cref="TryAdd"/>: read it before querying the database.</summary>
    public long Generation
    {
        get
        {
            lock (_gate)
            {
                return _generation;
            }
        }
    }

    /// <summary>
    /// The cached lookup of <paramref name="secretHash"/>, if present and its session has not expired. The lookup's records are
    /// immutable, so every request may share the one instance.
    /// </summary>
    public bool TryGet(string secretHash, DateTimeOffset now, out DeviceLookup? lookup)
    {
        lock (_gate)
        {
            if (_byHash.TryGetValue(secretHash, out var node))
            {
                var entry = node.Value;
                if (entry.Session.ExpiresAt > now)
                {
                    _recent.Remove(node);
                    _recent.AddFirst(node);
                    lookup = entry.Lookup;
                    Interlocked.Increment(ref _hits);
                    return true;
                }

                RemoveLocked(node);
            }
        }

        Interlocked.Increment(ref _misses);
        lookup = null;
        return false;
    }

    /// <summary>
    /// Stores a lookup read from the database, unless anything was invalidated since <paramref name="generation"/> was read (the
    /// read may predate that write) or the cache is not usable now. Only lookups with a session are stored.
    /// </summary>
    public void TryAdd(string secretHash, DeviceLookup lookup, long generation, int capacity)
    {
        if (lookup.Session is null)
        {
            return;
        }

        var entry = new Entry(secretHash, lookup);
        lock (_gate)
        {
            if (generation != _generation || (_channel == DeviceLookupCacheChannel.Notifications && !IsChannelFreshLocked()))
            {
                return;
            }

            if (_byHash.TryGetValue(secretHash, out var existing))
            {
                RemoveLocked(existing);
            }

            if (_hashByDevice.TryGetValue(entry.Device.Id, out var otherHash) && _byHash.TryGetValue(otherHash, out var other))
            {
                RemoveLocked(other);
            }

            while (_byHash.Count >= capacity && _recent.Last is { } oldest)
            {
                RemoveLocked(oldest);
            }

            var node = _recent.AddFirst(entry);
            _byHash[secretHash] = node;
            _hashByDevice[entry.Device.Id] = secretHash;
            _hashBySession[entry.Session.Id] = secretHash;
        }
    }

    public void InvalidateHash(string? secretHash)
    {
        lock (_gate)
        {
            _generation++;
            if (secretHash is not null && _byHash.TryGetValue(secretHash, out var node))
            {
                RemoveLocked(node);
            }
        }

        Interlocked.Increment(ref _invalidations);
    }

    public void InvalidateDevice(string? deviceId) => InvalidateBy(_hashByDevice, deviceId);

    public void InvalidateSession(string? sessionId) => InvalidateBy(_hashBySession, sessionId);

    /// <summary>Drops the entries whose session belongs to <paramref name="userId"/> (a scan: user-wide revocations are rare).</summary>
    public void InvalidateUser(string userId)
    {
        lock (_gate)
        {
            _generation++;
            foreach (var node in EnumerateNodes().Where(n => string.Equals(n.Value.Session.UserId, userId, StringComparison.Ordinal)).ToList())
            {
                RemoveLocked(node);
            }
        }

        Interlocked.Increment(ref _invalidations);
    }

    public void Clear()
    {
        lock (_gate)
        {
            ClearLocked();
        }

        Interlocked.Increment(ref _invalidations);
    }

    /// <summary>The listener is listening (again) since <paramref name="listeningSince"/>: what it missed meanwhile is unknown, so everything goes.</summary>
    public void ChannelConnected(long listeningSince)
    {
        lock (_gate)
        {
            _connected = true;
            _listeningSince = listeningSince;
            ClearLocked();
        }
    }

    /// <summary>The listener lost its connection (or stopped): every request reads the database until it is back.</summary>
    public void ChannelDown()
    {
        lock (_gate)
        {
            _connected = false;
            ClearLocked();
        }
    }

    /// <summary>
    /// One of this instance's heartbeats came back through the database, sent at <paramref name="sentAt"/>. When the channel was
    /// not fresh until now (first heartbeat after connecting, or after a lag), the cache is cleared before it is used again.
    /// </summary>
    public void Heartbeat(long sentAt)
    {
        lock (_gate)
        {
            if (!_connected || sentAt < _listeningSince)
            {
                return;
            }

            if (!IsChannelFreshLocked())
            {
                if (_lastHeartbeatSent >= _listeningSince)
                {
                    Log.DeviceLookupChannelLagged(_logger, (long)_time.GetElapsedTime(_lastHeartbeatSent).TotalMilliseconds);
                }

                ClearLocked();
            }

            _lastHeartbeatSent = Math.Max(_lastHeartbeatSent, sentAt);
        }
    }

    private bool IsChannelFreshLocked() =>
        _connected
        && _lastHeartbeatSent >= _listeningSince
        && _time.GetElapsedTime(_lastHeartbeatSent) <= _options.CurrentValue.DeviceLookupCacheMaxStaleness;

    private void InvalidateBy(Dictionary<string, string> index, string? key)
    {
        lock (_gate)
        {
            _generation++;
            if (key is not null && index.TryGetValue(key, out var hash) && _byHash.TryGetValue(hash, out var node))
            {
                RemoveLocked(node);
            }
        }

        Interlocked.Increment(ref _invalidations);
    }

    private IEnumerable<LinkedListNode<Entry>> EnumerateNodes()
    {
        for (var node = _recent.First; node is not null; node = node.Next)
        {
            yield return node;
        }
    }

    private void ClearLocked()
    {
        _generation++;
        _byHash.Clear();
        _hashByDevice.Clear();
        _hashBySession.Clear();
        _recent.Clear();
    }

    private void RemoveLocked(LinkedListNode<Entry> node)
    {
        var entry = node.Value;
        _recent.Remove(node);
        _byHash.Remove(entry.SecretHash);
        if (_hashByDevice.TryGetValue(entry.Device.Id, out var byDevice) && byDevice == entry.SecretHash)
        {
            _hashByDevice.Remove(entry.Device.Id);
        }

        if (_hashBySession.TryGetValue(entry.Session.Id, out var bySession) && bySession == entry.SecretHash)
        {
            _hashBySession.Remove(entry.Session.Id);
        }
    }

    /// <summary>A cached lookup; only lookups with a session are cached.</summary>
    private sealed record Entry(string SecretHash, DeviceLookup Lookup)
    {
        public StoredDevice Device => Lookup.Device;

        public StoredDeviceSession Session => Lookup.Session!;
    }
}
