using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace IdentityServer.MultiSession;

/// <summary>
/// Validates <see cref="MultiSessionOptions"/> at start-up; each failure names the configuration setting (BEHAVIOUR.md §8).
/// </summary>
internal sealed class MultiSessionOptionsValidator : IValidateOptions<MultiSessionOptions>
{
    /// <summary>
    /// Checks the configured text of each choice-valued setting before it is bound: a value that names none of the choices
    /// (a typo, or a number, which the configuration binder would take as any enum value) stops the host, or is refused on
    /// reload, with a message that names the setting and lists the choices; the binder's own message lists neither.
    /// </summary>
    public static void CheckChoices(IConfiguration section)
    {
        CheckChoice<LimitReachedBehavior>(section, nameof(MultiSessionOptions.OnLimitReached));
        CheckChoice<EndSessionScope>(section, nameof(MultiSessionOptions.EndSessionScope));
        CheckChoice<Microsoft.AspNetCore.Http.CookieSecurePolicy>(section, nameof(MultiSessionOptions.CookieSecurePolicy));
        CheckChoice<DeviceLookupCacheMode>(section, nameof(MultiSessionOptions.DeviceLookupCache));
    }

    private static void CheckChoice<TEnum>(IConfiguration section, string key)
        where TEnum : struct, Enum
    {
        var text = section[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return;
        }

        var names = Enum.GetNames<TEnum>();
        if (!names.Contains(text.Trim(), StringComparer.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException(
                $"{MultiSessionDefaults.ConfigurationSection}:{key} must be one of {string.Join(", ", names.Select(n => $"'{n}'"))} (was '{text}').");
        }
    }

    public ValidateOptionsResult Validate(string? name, MultiSessionOptions options)
    {
        var failures = new List<string>();
        const string section = MultiSessionDefaults.ConfigurationSection;

        if (options.MaximumSessions < 1)
        {
            failures.Add($"{section}:MaximumSessions must be at least 1 (was {options.MaximumSessions}).");
        }

        if (!Enum.IsDefined(options.OnLimitReached))
        {
            failures.Add($"{section}:OnLimitReached must be 'Reject' or 'EvictLeastRecentlyUsed' (was '{options.OnLimitReached}').");
        }

        if (!Enum.IsDefined(options.EndSessionScope))
        {
            failures.Add($"{section}:EndSessionScope must be 'AllAccounts' or 'HintedAccount' (was '{options.EndSessionScope}').");
        }

        if (options.SlidingExpiration <= TimeSpan.Zero)
        {
            failures.Add($"{section}:SlidingExpiration must be positive (was {options.SlidingExpiration}).");
        }

        if (options.AbsoluteExpiration is { } absolute && absolute <= TimeSpan.Zero)
        {
            failures.Add($"{section}:AbsoluteExpiration must be positive when set (was {absolute}).");
        }

        if (options.CleanupInterval <= TimeSpan.Zero)
        {
            failures.Add($"{section}:CleanupInterval must be positive (was {options.CleanupInterval}).");
        }

        if (options.MetricsRefreshInterval <= TimeSpan.Zero)
        {
            failures.Add($"{section}:MetricsRefreshInterval must be positive (was {options.MetricsRefreshInterval}).");
        }

        if (options.CleanupBatchSize < 1)
        {
            failures.Add($"{section}:CleanupBatchSize must be at least 1 (was {options.CleanupBatchSize}).");
        }

        if (options.LastSeenUpdateInterval < TimeSpan.Zero)
        {
            failures.Add($"{section}:LastSeenUpdateInterval must not be negative (was {options.LastSeenUpdateInterval}).");
        }

        if (options.SecurityStampValidationInterval is { } stamp && stamp < TimeSpan.Zero)
        {
            failures.Add($"{section}:SecurityStampValidationInterval must not be negative (was {stamp}).");
        }

        if (options.SelectionLifetime <= TimeSpan.Zero)
        {
            failures.Add($"{section}:SelectionLifetime must be positive (was {options.SelectionLifetime}).");
        }

        if (options.RememberedAccountLifetime <= TimeSpan.Zero)
        {
            failures.Add($"{section}:RememberedAccountLifetime must be positive (was {options.RememberedAccountLifetime}).");
        }

        if (options.ReauthenticateAfter is { } reauthenticate && reauthenticate < TimeSpan.Zero)
        {
            failures.Add($"{section}:ReauthenticateAfter must not be negative when set (was {reauthenticate}).");
        }

        if (string.IsNullOrWhiteSpace(options.ReauthenticationPolicy))
        {
            failures.Add($"{section}:ReauthenticationPolicy must name an authorization policy (was empty).");
        }

        if (options.CookieName is { } cookie && (string.IsNullOrWhiteSpace(cookie) || cookie.Any(c => char.IsWhiteSpace(c) || c is ';' or ',' or '=')))
        {
            failures.Add($"{section}:CookieName must be a non-empty cookie name without spaces, ';', ',' or '=' (was '{cookie}').");
        }

        if (string.IsNullOrWhiteSpace(options.AdministrationPolicy))
        {
            failures.Add($"{section}:AdministrationPolicy must name an authorization policy (was empty).");
        }

        if (!Enum.IsDefined(options.DeviceLookupCache))
        {
            failures.Add($"{section}:DeviceLookupCache must be 'Off' or 'On' (was '{options.DeviceLookupCache}').");
        }

        if (options.DeviceLookupCacheSize < 1)
        {
            failures.Add($"{section}:DeviceLookupCacheSize must be at least 1 (was {options.DeviceLookupCacheSize}).");
        }

        if (options.DeviceLookupCacheMaxStaleness < TimeSpan.FromMilliseconds(100) || options.DeviceLookupCacheMaxStaleness > TimeSpan.FromMinutes(1))
        {
            failures.Add($"{section}:DeviceLookupCacheMaxStaleness must be between 00:00:00.1 and 00:01:00 (was {options.DeviceLookupCacheMaxStaleness}).");
        }

        BackChannelLogoutOptionsRules.Validate(options.BackChannelLogout, $"{section}:BackChannelLogout", failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
