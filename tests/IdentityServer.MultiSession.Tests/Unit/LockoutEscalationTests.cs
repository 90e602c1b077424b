using IdpHost.Login;

namespace IdentityServer.MultiSession.Tests.Unit;

/// <summary>The sample's escalating lockout holds an account to at most 100 failed passwords in any hour (ASVS 2.2.1).</summary>
public sealed class LockoutEscalationTests
{
    [Fact]
    public void The_default_lockout_policy_allows_at_most_100_failed_passwords_per_account_in_any_hour()
    {
        // An attacker who tries a password every second, as soon as the account is unlocked, for a day.
        var policy = new LockoutEscalationOptions();
        var failures = new List<TimeSpan>();
        var lockedUntil = TimeSpan.Zero;
        var inRow = 0;
        var level = 0;
        var lastEnd = TimeSpan.MinValue;
        for (var t = TimeSpan.Zero; t < TimeSpan.FromDays(1); t += TimeSpan.FromSeconds(1))
        {
            if (t < lockedUntil)
            {
                continue;
            }

            failures.Add(t);
            if (++inRow < policy.MaxFailedAttempts)
            {
                continue;
            }

            inRow = 0;
            level = lastEnd != TimeSpan.MinValue && t - lastEnd < policy.ResetAfter ? level + 1 : 1;
            lockedUntil = t + policy.LockoutFor(level);
            lastEnd = lockedUntil;
        }

        var worstHour = failures.Max(start => failures.Count(f => f >= start && f < start + TimeSpan.FromHours(1)));
        Assert.True(worstHour <= 100, $"{worstHour} failed passwords in one hour");
        Assert.Equal(40, worstHour);
    }

    [Fact]
    public void Each_lockout_soon_after_the_last_doubles_up_to_an_hour()
    {
        var policy = new LockoutEscalationOptions();
        Assert.Equal(
            new[] { 5, 10, 20, 40, 60, 60 },
            Enumerable.Range(1, 6).Select(level => (int)policy.LockoutFor(level).TotalMinutes).ToArray());
    }
}
