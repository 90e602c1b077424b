using IdentityServer.MultiSession.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace IdentityServer.MultiSession.Tests.Unit;

/// <summary>
/// The lookup cache's use of the PostgreSQL change channel, on a fake clock: used only while connected and while one of its own
/// heartbeats, sent within the staleness bound, has come back; cleared whenever the channel comes back from down or lagging.
/// </summary>
public sealed class DeviceLookupCacheChannelTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly DeviceLookupCache _cache;

    public DeviceLookupCacheChannelTests()
    {
        var options = new MultiSessionOptions { DeviceLookupCache = DeviceLookupCacheMode.On, DeviceLookupCacheMaxStaleness = TimeSpan.FromSeconds(2) };
        _cache = new DeviceLookupCache(new StaticMonitor(options), _time, NullLogger<DeviceLookupCache>.Instance);
        _cache.DecideChannel("Npgsql.EntityFrameworkCore.PostgreSQL");
    }

    [Fact]
    public void The_cache_is_not_used_before_a_heartbeat_sent_after_listening_began_has_come_back()
    {
        var before = _time.GetTimestamp();
        _time.Advance(TimeSpan.FromMilliseconds(10));
        _cache.ChannelConnected(_time.GetTimestamp());
        _cache.Heartbeat(before);
        Assert.False(_cache.IsUsable());

        _cache.Heartbeat(_time.GetTimestamp());
        Assert.True(_cache.IsUsable());
    }

    [Fact]
    public void A_heartbeat_older_than_the_bound_sets_the_cache_aside_and_the_next_one_clears_it()
    {
        _cache.ChannelConnected(_time.GetTimestamp());
        _cache.Heartbeat(_time.GetTimestamp());
        Add("hash", "device", "session");
        Assert.Equal(1, _cache.Count);

        _time.Advance(TimeSpan.FromMilliseconds(2001));
        Assert.False(_cache.IsUsable());

        _cache.Heartbeat(_time.GetTimestamp());
        Assert.True(_cache.IsUsable());
        Assert.Equal(0, _cache.Count);
    }

    [Fact]
    public void A_dropped_connection_sets_the_cache_aside_and_empties_it_even_with_a_fresh_heartbeat()
    {
        _cache.ChannelConnected(_time.GetTimestamp());
        _cache.Heartbeat(_time.GetTimestamp());
        Add("hash", "device", "session");

        _cache.ChannelDown();
        Assert.False(_cache.IsUsable());
        Assert.Equal(0, _cache.Count);
    }

    [Fact]
    public void A_lookup_read_before_an_invalidation_is_not_stored_after_it()
    {
        _cache.ChannelConnected(_time.GetTimestamp());
        _cache.Heartbeat(_time.GetTimestamp());
        var generation = _cache.Generation;
        _cache.InvalidateDevice("device");
        _cache.TryAdd("hash", Lookup("device", "session"), generation, 10);
        Assert.Equal(0, _cache.Count);
    }

    [Fact]
    public void Notifications_by_device_and_by_session_remove_the_entry_and_the_size_stays_bounded()
    {
        _cache.ChannelConnected(_time.GetTimestamp());
        _cache.Heartbeat(_time.GetTimestamp());
        Add("h1", "d1", "s1");
        Add("h2", "d2", "s2");
        _cache.InvalidateDevice("d1");
        _cache.InvalidateSession("s2");
        Assert.Equal(0, _cache.Count);

        for (var i = 0; i < 25; i++)
        {
            _cache.TryAdd("h" + i, Lookup("d" + i, "s" + i), _cache.Generation, 10);
        }

        Assert.Equal(10, _cache.Count);
        Assert.True(_cache.TryGet("h24", _time.GetUtcNow(), out _));
        Assert.False(_cache.TryGet("h0", _time.GetUtcNow(), out _));
    }

    private void Add(string hash, string device, string session) => _cache.TryAdd(hash, Lookup(device, session), _cache.Generation, 10);

    private DeviceLookup Lookup(string device, string session) => new(
        new StoredDevice { Id = device, ActiveSessionId = session },
        new StoredDeviceSession { Id = session, DeviceId = device, Handle = "handle-" + session, UserId = "u", ExpiresAt = _time.GetUtcNow().AddDays(1) });

    private sealed class StaticMonitor(MultiSessionOptions value) : IOptionsMonitor<MultiSessionOptions>
    {
        public MultiSessionOptions CurrentValue => value;

        public MultiSessionOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<MultiSessionOptions, string?> listener) => null;
    }
}
