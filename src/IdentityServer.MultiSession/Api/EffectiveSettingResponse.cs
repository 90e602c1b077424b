using IdentityServer.MultiSession.Administration;

namespace IdentityServer.MultiSession.Api;

/// <summary>A setting in force, as the administration API answers it.</summary>
/// <param name="Name">The key under <c>MultiSession</c>.</param>
/// <param name="Value">The value as configuration spells it; <c>null</c> for none.</param>
/// <param name="Source"><c>default</c>, <c>configuration</c> or <c>host</c>.</param>
/// <param name="ConfigurationSource">For configuration: the file, <c>environment variables</c>, <c>command line</c> or the provider.</param>
/// <param name="AppliesOnReload">Whether a change applies while the IdP runs.</param>
internal sealed record EffectiveSettingResponse(string Name, string? Value, string Source, string? ConfigurationSource, bool AppliesOnReload)
{
    /// <summary>Maps a setting.</summary>
    public static EffectiveSettingResponse From(EffectiveSetting setting)
    {
        ArgumentNullException.ThrowIfNull(setting);
        return new(
            setting.Name,
            MultiSessionEffectiveOptions.Format(setting.Value),
            setting.Source.ToString().ToLowerInvariant(),
            setting.ConfigurationSource,
            setting.AppliesOnReload);
    }
}
