using System.Security.Cryptography;
using IdentityServer.MultiSession.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Tokens;

namespace IdentityServer.MultiSession.Tests.Unit;

/// <summary>The device secret's rotation at the service and store: what an old secret can still do (nothing).</summary>
public abstract class DeviceSecretRotationTests
{
    protected abstract string Provider { get; }

    private Task<SessionRulesHarness> CreateAsync(Action<MultiSessionOptions>? configure = null) => SessionRulesHarness.CreateAsync(Provider, configure);

    private static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Base64UrlEncoder.DecodeBytes(secret)));

    [SkippableFact]
    public async Task A_use_recorded_for_a_request_that_still_carries_the_replaced_secret_writes_nothing_and_refreshes_no_cookie()
    {
        await using var harness = await CreateAsync();
        var device = harness.NewDevice();
        var alice = await device.SignInAsync("alice");
        var old = device.Cookie!;
        await device.SignInAsync("bob");
        Assert.NotEqual(old, device.Cookie);

        // A request that found alice's session with the old secret, and records its use after bob's sign-in committed.
        var later = harness.Time.GetUtcNow().AddHours(1);
        Assert.False(await harness.WithStoreServiceAsync(store => store.TouchAsync(alice.SessionId, later, later.AddDays(14), Hash(old))));
        var row = await harness.WithStoreAsync(db => db.Set<DeviceSessionEntity>().AsNoTracking().SingleAsync(s => s.Id == alice.SessionId));
        Assert.NotEqual(later, row.LastSeenAt);

        // With the current secret the same write goes through.
        Assert.True(await harness.WithStoreServiceAsync(store => store.TouchAsync(alice.SessionId, later, later.AddDays(14), Hash(device.Cookie!))));
    }

    [SkippableFact]
    public async Task Every_sign_in_and_re_authentication_gives_the_device_a_new_secret_and_keeps_one_device_row()
    {
        await using var harness = await CreateAsync();
        var device = harness.NewDevice();
        var seen = new HashSet<string>();
        foreach (var user in new[] { "alice", "bob", "alice", "carol", "bob" })
        {
            await device.SignInAsync(user);
            Assert.True(seen.Add(device.Cookie!), $"The sign-in of {user} kept an earlier secret.");
        }

        Assert.Equal(1, await harness.WithStoreAsync(db => db.Set<DeviceEntity>().CountAsync()));
        Assert.Equal(3, (await device.ListAsync()).Count);
    }

    [SkippableFact]
    public async Task Re_authenticating_above_a_lowered_limit_renews_in_place_while_a_new_account_is_refused()
    {
        await using var harness = await CreateAsync(o => o.MaximumSessions = 3);
        var device = harness.NewDevice();
        var alice = await device.SignInAsync("alice");
        await device.SignInAsync("bob");
        await device.SignInAsync("carol");
        harness.Options.MaximumSessions = 2;

        var again = await device.SignInAsync("alice");
        Assert.Equal(alice.SessionId, again.SessionId);
        await Assert.ThrowsAsync<MultiSessionLimitReachedException>(() => device.SignInAsync("dave"));
        Assert.Equal(3, (await device.ListAsync()).Count);
    }
}

/// <summary>DeviceSecretRotationTests on SQLite (in memory).</summary>
public sealed class DeviceSecretRotationTestsOnSqlite : DeviceSecretRotationTests
{
    protected override string Provider => "Sqlite";
}

/// <summary>DeviceSecretRotationTests on PostgreSQL.</summary>
public sealed class DeviceSecretRotationTestsOnPostgreSql : DeviceSecretRotationTests
{
    protected override string Provider => "PostgreSQL";
}
