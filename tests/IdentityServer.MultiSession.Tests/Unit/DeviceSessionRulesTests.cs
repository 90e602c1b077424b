using IdentityServer.MultiSession.Storage;
using Microsoft.EntityFrameworkCore;

namespace IdentityServer.MultiSession.Tests.Unit;

/// <summary>The session rules of BEHAVIOUR.md §3, on the session service and its EF Core store, with a fake clock.</summary>
public abstract class DeviceSessionRulesTests
{
    /// <summary>The database provider under test.</summary>
    protected abstract string Provider { get; }

    private Task<SessionRulesHarness> CreateAsync(Action<MultiSessionOptions>? configure = null) => SessionRulesHarness.CreateAsync(Provider, configure);

    [SkippableFact]
    public async Task Signing_in_adds_a_session_and_makes_it_active_while_the_others_stay_signed_in()
    {
        await using var harness = await CreateAsync();
        var device = harness.NewDevice();
        var alice = await device.SignInAsync("alice");
        harness.Time.Advance(TimeSpan.FromSeconds(1));
        var bob = await device.SignInAsync("bob");

        var list = await device.ListAsync();
        Assert.Equal(["bob", "alice"], list.Select(s => s.UserName!).ToArray());
        Assert.True(list[0].IsActive);
        Assert.False(list[1].IsActive);
        Assert.NotEqual(alice.SessionId, bob.SessionId);
        Assert.Equal("Alice", list[1].DisplayName);
    }

    [SkippableFact]
    public async Task The_same_user_signing_in_again_renews_the_session_in_place_with_the_same_sid_and_takes_no_second_slot()
    {
        await using var harness = await CreateAsync(o => o.MaximumSessions = 2);
        var device = harness.NewDevice();
        var first = await device.SignInAsync("alice");
        harness.Time.Advance(TimeSpan.FromSeconds(1));
        await device.SignInAsync("bob");
        harness.Time.Advance(TimeSpan.FromSeconds(1));
        var second = await device.SignInAsync("alice");
        Assert.Equal(first.SessionId, second.SessionId);
        Assert.Equal(first.AuthenticatedAt.AddSeconds(2), second.AuthenticatedAt);
        Assert.Equal(["alice", "bob"], await device.UsersAsync());
    }

    [SkippableFact]
    public async Task The_sign_in_beyond_the_maximum_is_refused_and_changes_nothing()
    {
        await using var harness = await CreateAsync(o => o.MaximumSessions = 2);
        var device = harness.NewDevice();
        await device.SignInAsync("alice");
        harness.Time.Advance(TimeSpan.FromSeconds(1));
        await device.SignInAsync("bob");
        var error = await Assert.ThrowsAsync<MultiSessionLimitReachedException>(() => device.SignInAsync("carol"));
        Assert.Equal("This browser already has 2 accounts signed in. Sign out of one to add another.", error.Message);
        Assert.Equal(["bob", "alice"], await device.UsersAsync());
        Assert.True((await device.ListAsync())[0].IsActive);
    }

    [SkippableFact]
    public async Task The_limit_is_per_device()
    {
        await using var harness = await CreateAsync(o => o.MaximumSessions = 1);
        await harness.NewDevice().SignInAsync("alice");
        var other = harness.NewDevice();
        await other.SignInAsync("alice");
        Assert.Equal(["alice"], await other.UsersAsync());
    }

    [SkippableFact]
    public async Task With_eviction_the_least_recently_used_session_makes_room()
    {
        await using var harness = await CreateAsync(o =>
        {
            o.MaximumSessions = 2;
            o.OnLimitReached = LimitReachedBehavior.EvictLeastRecentlyUsed;
        });
        var device = harness.NewDevice();
        var alice = await device.SignInAsync("alice");
        harness.Time.Advance(TimeSpan.FromMinutes(5));
        await device.SignInAsync("bob");
        harness.Time.Advance(TimeSpan.FromMinutes(5));
        await device.SetActiveAsync(alice.SessionToken);
        harness.Time.Advance(TimeSpan.FromMinutes(5));
        await device.SignInAsync("carol");
        Assert.Equal(["carol", "alice"], await device.UsersAsync());
    }

    [SkippableFact]
    public async Task Setting_active_an_unknown_malformed_or_foreign_handle_changes_nothing()
    {
        await using var harness = await CreateAsync();
        var device = harness.NewDevice();
        var other = harness.NewDevice();
        await device.SignInAsync("alice");
        await device.SignInAsync("bob");
        var foreign = await other.SignInAsync("carol");

        Assert.Null(await device.SetActiveAsync(foreign.SessionToken));
        Assert.Null(await device.SetActiveAsync("AAAAAAAAAAAAAAAAAAAAAA"));
        Assert.Null(await device.SetActiveAsync("not a handle"));
        Assert.Null(await device.SetActiveAsync(new string('A', 10_240)));
        Assert.Equal("bob", (await device.ListAsync()).Single(s => s.IsActive).UserName);
        Assert.True((await other.ListAsync()).Single().IsActive);
    }

    [SkippableFact]
    public async Task Revoking_the_active_account_makes_the_most_recently_used_other_account_active()
    {
        await using var harness = await CreateAsync();
        var device = harness.NewDevice();
        var alice = await device.SignInAsync("alice");
        harness.Time.Advance(TimeSpan.FromMinutes(1));
        await device.SignInAsync("bob");
        harness.Time.Advance(TimeSpan.FromMinutes(1));
        var carol = await device.SignInAsync("carol");
        harness.Time.Advance(TimeSpan.FromMinutes(1));
        await device.SetActiveAsync(alice.SessionToken);

        Assert.True(await device.RevokeAsync(alice.SessionToken));
        var list = await device.ListAsync();
        Assert.Equal(["carol", "bob"], list.Select(s => s.UserName!).ToArray());
        Assert.Equal(carol.SessionId, list.Single(s => s.IsActive).SessionId);
        Assert.Equal(carol.SessionId, (await device.AuthenticateAsync())!.Session.SessionId);
        Assert.False(await device.RevokeAsync(alice.SessionToken));
    }

    [SkippableFact]
    public async Task Revoking_the_last_account_signs_the_device_out_and_removes_it()
    {
        await using var harness = await CreateAsync();
        var device = harness.NewDevice();
        var alice = await device.SignInAsync("alice");
        Assert.True(await device.RevokeAsync(alice.SessionToken));
        Assert.Null(device.Cookie);
        Assert.Empty(await device.ListAsync());
        Assert.Equal(0, await harness.WithStoreAsync(db => db.Set<DeviceEntity>().CountAsync()));
    }

    [SkippableFact]
    public async Task Expired_sessions_are_not_listed_cannot_be_made_active_and_do_not_authenticate()
    {
        await using var harness = await CreateAsync(o => o.SlidingExpiration = TimeSpan.FromHours(1));
        var device = harness.NewDevice();
        var alice = await device.SignInAsync("alice");
        harness.Time.Advance(TimeSpan.FromMinutes(61));
        Assert.Empty(await device.ListAsync());
        Assert.Null(await device.SetActiveAsync(alice.SessionToken));
        Assert.False(await device.RevokeAsync(alice.SessionToken));
        Assert.Null(await device.AuthenticateAsync());
    }

    [SkippableFact]
    public async Task Authenticating_slides_the_expiry_of_the_session_used()
    {
        await using var harness = await CreateAsync(o => o.SlidingExpiration = TimeSpan.FromHours(1));
        var device = harness.NewDevice();
        await device.SignInAsync("alice");
        for (var i = 0; i < 4; i++)
        {
            harness.Time.Advance(TimeSpan.FromMinutes(45));
            Assert.NotNull(await device.AuthenticateAsync());
        }

        var session = Assert.Single(await device.ListAsync());
        Assert.Equal(harness.Time.GetUtcNow().AddHours(1), session.ExpiresAt);
    }

    [SkippableFact]
    public async Task The_absolute_lifetime_caps_the_sliding_expiry()
    {
        await using var harness = await CreateAsync(o =>
        {
            o.SlidingExpiration = TimeSpan.FromHours(1);
            o.AbsoluteExpiration = TimeSpan.FromMinutes(90);
        });
        var device = harness.NewDevice();
        var signedIn = await device.SignInAsync("alice");
        harness.Time.Advance(TimeSpan.FromMinutes(59));
        Assert.NotNull(await device.AuthenticateAsync());
        Assert.Equal(signedIn.CreatedAt.AddMinutes(90), Assert.Single(await device.ListAsync()).ExpiresAt);
        harness.Time.Advance(TimeSpan.FromMinutes(32));
        Assert.Null(await device.AuthenticateAsync());
    }

    [SkippableFact]
    public async Task Authentication_uses_the_named_session_of_this_device_before_the_active_one()
    {
        await using var harness = await CreateAsync();
        var device = harness.NewDevice();
        var other = harness.NewDevice();
        var alice = await device.SignInAsync("alice");
        await device.SignInAsync("bob");
        var foreign = await other.SignInAsync("carol");

        var ticket = await device.AuthenticateAsync(alice.SessionId);
        Assert.Equal("alice", ticket!.Session.UserName);
        Assert.Equal(alice.SessionId, ticket.Principal.FindFirst("sid")!.Value);
        Assert.Equal("bob", (await device.AuthenticateAsync(foreign.SessionId))!.Session.UserName);
    }

    [SkippableFact]
    public async Task Revoking_a_user_ends_their_sessions_on_every_device()
    {
        await using var harness = await CreateAsync();
        var laptop = harness.NewDevice();
        var phone = harness.NewDevice();
        await laptop.SignInAsync("bob");
        await laptop.SignInAsync("alice");
        await phone.SignInAsync("alice");

        Assert.Equal(2, await harness.RevokeUserAsync("id-alice"));
        var left = Assert.Single(await laptop.ListAsync());
        Assert.Equal("bob", left.UserName);
        Assert.True(left.IsActive);
        Assert.Empty(await phone.ListAsync());
    }

    [SkippableFact]
    public async Task The_device_secret_is_rotated_when_a_signed_out_device_signs_in()
    {
        await using var harness = await CreateAsync(o => o.SlidingExpiration = TimeSpan.FromHours(1));
        var device = harness.NewDevice();
        await device.SignInAsync("alice");
        var first = device.Cookie;

        harness.Time.Advance(TimeSpan.FromHours(2));
        await device.SignInAsync("carol");
        Assert.NotEqual(first, device.Cookie);
        Assert.Equal(["carol"], await device.UsersAsync());
    }
}

/// <summary>The session rules on SQLite (in memory).</summary>
public sealed class DeviceSessionRulesTestsOnSqlite : DeviceSessionRulesTests
{
    protected override string Provider => "Sqlite";
}

/// <summary>The session rules on PostgreSQL.</summary>
public sealed class DeviceSessionRulesTestsOnPostgreSql : DeviceSessionRulesTests
{
    protected override string Provider => "PostgreSQL";
}
