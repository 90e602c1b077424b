namespace IdpHost.Login;

/// <summary>
/// The sample's escalating account lockout, bound from the <c>Lockout</c> configuration section. After
/// <see cref="MaxFailedAttempts"/> failed passwords in a row an account is locked for <see cref="FirstLockout"/>; each further
/// lockout within <see cref="ResetAfter"/> of the last one doubles the time, up to <see cref="MaximumLockout"/>. With the
/// defaults (10 attempts; 5, 10, 20, 40, then 60 minutes) an account takes at most 40 failed passwords in any hour.
/// </summary>
public sealed class LockoutEscalationOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Lockout";

    /// <summary>Failed passwords in a row that lock the account. Default 10.</summary>
    public int MaxFailedAttempts { get; set; } = 10;

    /// <summary>The first lockout. Default 5 minutes.</summary>
    public TimeSpan FirstLockout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The longest lockout. Default 1 hour.</summary>
    public TimeSpan MaximumLockout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long after a lockout ended the next one still escalates. Default 24 hours.</summary>
    public TimeSpan ResetAfter { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The lockout for the <paramref name="level"/>-th lockout in a row (1 for the first).</summary>
    public TimeSpan LockoutFor(int level)
    {
        var duration = FirstLockout;
        for (var i = 1; i < level && duration < MaximumLockout; i++)
        {
            duration += duration;
        }

        return duration < MaximumLockout ? duration : MaximumLockout;
    }
}
