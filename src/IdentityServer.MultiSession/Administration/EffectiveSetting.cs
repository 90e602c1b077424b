namespace IdentityServer.MultiSession.Administration;

/// <summary>One multi-session setting as it is in force, and where its value came from.</summary>
/// <param name="Name">The configuration key under <c>MultiSession</c>, for example <c>MaximumSessions</c>.</param>
/// <param name="Value">The value in force (a number, a <see cref="TimeSpan"/>, a choice, a flag), or <c>null</c> for none.</param>
/// <param name="Source">Where the value came from.</param>
/// <param name="ConfigurationSource">
/// For <see cref="SettingSource.Configuration"/>: the file path, <c>environment variables</c>, <c>command line</c> or the
/// provider's type name.
/// </param>
/// <param name="AppliesOnReload">
/// <c>true</c> when a change applies while the IdP runs (the value comes from a file watched for changes, and the setting
/// reloads); <c>false</c> when it needs a restart.
/// </param>
public sealed record EffectiveSetting(string Name, object? Value, SettingSource Source, string? ConfigurationSource, bool AppliesOnReload);
