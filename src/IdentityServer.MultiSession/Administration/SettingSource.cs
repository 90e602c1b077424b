namespace IdentityServer.MultiSession.Administration;

/// <summary>Where a setting's value in force came from.</summary>
public enum SettingSource
{
    /// <summary>The library's default (or the one it derives, such as Identity's stamp interval).</summary>
    Default = 0,

    /// <summary>A configuration provider: a JSON file, environment variables, the command line.</summary>
    Configuration = 1,

    /// <summary>The host's code (<c>AddMultiSession(options => …)</c>): not in configuration, and not the default.</summary>
    Host = 2,
}
