namespace IdentityServer.MultiSession;

/// <summary>The start-up checks of <see cref="BackChannelLogoutOptions"/>; each failure names its setting.</summary>
internal static class BackChannelLogoutOptionsRules
{
    public static void Validate(BackChannelLogoutOptions options, string section, List<string> failures)
    {
        if (options.PollInterval <= TimeSpan.Zero)
        {
            failures.Add($"{section}:PollInterval must be positive (was {options.PollInterval}).");
        }

        if (options.Timeout <= TimeSpan.Zero)
        {
            failures.Add($"{section}:Timeout must be positive (was {options.Timeout}).");
        }

        if (options.MaxAttempts < 1)
        {
            failures.Add($"{section}:MaxAttempts must be at least 1 (was {options.MaxAttempts}).");
        }

        if (options.BackoffBase <= TimeSpan.Zero || options.MaxBackoff < options.BackoffBase)
        {
            failures.Add($"{section}:BackoffBase must be positive and no longer than MaxBackoff (were {options.BackoffBase} and {options.MaxBackoff}).");
        }

        if (options.LeaseDuration <= options.Timeout)
        {
            failures.Add($"{section}:LeaseDuration must be longer than Timeout (were {options.LeaseDuration} and {options.Timeout}).");
        }

        if (options.BatchSize < 1 || options.MaxParallelDeliveries < 1)
        {
            failures.Add($"{section}:BatchSize and MaxParallelDeliveries must be at least 1 (were {options.BatchSize} and {options.MaxParallelDeliveries}).");
        }

        if (options.TokenLifetime <= TimeSpan.Zero || options.DeliveredRetention < TimeSpan.Zero)
        {
            failures.Add($"{section}:TokenLifetime must be positive and DeliveredRetention not negative (were {options.TokenLifetime} and {options.DeliveredRetention}).");
        }

        if (options.Issuer is { IsAbsoluteUri: false } issuer)
        {
            failures.Add($"{section}:Issuer must be an absolute URI (was '{issuer}').");
        }
    }
}
