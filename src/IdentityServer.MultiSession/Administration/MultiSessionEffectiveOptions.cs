using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.CommandLine;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Options;

namespace IdentityServer.MultiSession.Administration;

/// <summary>
/// The multi-session settings in force (the values every service reads now, after reloads, refused reloads included) and where
/// each came from: the library's default, a configuration provider (the last one that sets it wins, as in configuration), or the
/// host's code.
/// </summary>
public sealed class MultiSessionEffectiveOptions
{
    private static readonly MultiSessionOptions Defaults = new();
    private readonly IOptionsMonitor<MultiSessionOptions> _options;
    private readonly IConfiguration? _configuration;

    /// <summary>Creates the reader.</summary>
    /// <param name="options">The options in force.</param>
    /// <param name="configuration">The host's configuration, when there is one.</param>
    public MultiSessionEffectiveOptions(IOptionsMonitor<MultiSessionOptions> options, IConfiguration? configuration = null)
    {
        _options = options;
        _configuration = configuration;
    }

    /// <summary>The settings an administrator cares about, in a stable order.</summary>
    public IReadOnlyList<EffectiveSetting> Read()
    {
        var o = _options.CurrentValue;
        return
        [
            Setting(nameof(o.MaximumSessions), o.MaximumSessions, Defaults.MaximumSessions),
            Setting(nameof(o.OnLimitReached), o.OnLimitReached, Defaults.OnLimitReached),
            Setting(nameof(o.SlidingExpiration), o.SlidingExpiration, Defaults.SlidingExpiration),
            Setting(nameof(o.AbsoluteExpiration), o.AbsoluteExpiration, Defaults.AbsoluteExpiration),
            Setting(nameof(o.SecurityStampValidationInterval), o.SecurityStampValidationInterval, null, derivedDefault: true),
            Setting(nameof(o.CleanupInterval), o.CleanupInterval, Defaults.CleanupInterval),
            Setting(nameof(o.CleanupBatchSize), o.CleanupBatchSize, Defaults.CleanupBatchSize),
            Setting(nameof(o.MetricsRefreshInterval), o.MetricsRefreshInterval, Defaults.MetricsRefreshInterval),
            Setting(nameof(o.LastSeenUpdateInterval), o.LastSeenUpdateInterval, Defaults.LastSeenUpdateInterval),
            Setting(nameof(o.EndSessionScope), o.EndSessionScope, Defaults.EndSessionScope),
            Setting(nameof(o.RecordIpAddress), o.RecordIpAddress, Defaults.RecordIpAddress),
            Setting("BackChannelLogout:MaxAttempts", o.BackChannelLogout.MaxAttempts, Defaults.BackChannelLogout.MaxAttempts),
            Setting(nameof(o.CookieName), o.CookieName, null, derivedDefault: true, reloads: false),
        ];
    }

    /// <summary>Writes a value the way configuration files spell it (invariant culture; a time span as <c>d.hh:mm:ss</c>).</summary>
    public static string? Format(object? value) => value switch
    {
        null => null,
        TimeSpan span => span.ToString("c", CultureInfo.InvariantCulture),
        bool flag => flag ? "true" : "false",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    private EffectiveSetting Setting(string name, object? value, object? defaultValue, bool derivedDefault = false, bool reloads = true)
    {
        var key = MultiSessionDefaults.ConfigurationSection + ":" + name;
        if (_configuration is IConfigurationRoot root)
        {
            foreach (var provider in root.Providers.Reverse())
            {
                if (provider.TryGet(key, out _))
                {
                    return new EffectiveSetting(name, value, SettingSource.Configuration, Describe(provider), reloads && provider is FileConfigurationProvider { Source.ReloadOnChange: true });
                }
            }
        }
        else if (_configuration?[key] is not null)
        {
            return new EffectiveSetting(name, value, SettingSource.Configuration, null, false);
        }

        var isDefault = derivedDefault || Equals(value, defaultValue);
        return new EffectiveSetting(name, value, isDefault ? SettingSource.Default : SettingSource.Host, null, false);
    }

    private static string Describe(IConfigurationProvider provider) => provider switch
    {
        FileConfigurationProvider file => file.Source.Path ?? "file",
        EnvironmentVariablesConfigurationProvider => "environment variables",
        CommandLineConfigurationProvider => "command line",
        _ => provider.GetType().Name,
    };
}
