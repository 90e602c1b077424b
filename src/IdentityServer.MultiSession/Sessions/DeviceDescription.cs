namespace IdentityServer.MultiSession.Sessions;

/// <summary>Composes the English summary of a browser and operating system ("Chrome on Windows"); pages use their localised texts.</summary>
internal static class DeviceDescription
{
    /// <summary>The text shown for a browser that was not recognised.</summary>
    public const string UnknownBrowser = "Unknown browser";

    /// <summary>"Chrome on Windows", "Chrome", "Unknown browser on Linux" or "Unknown browser".</summary>
    /// <param name="browser">The browser, or <c>null</c>.</param>
    /// <param name="operatingSystem">The operating system, or <c>null</c>.</param>
    public static string Describe(string? browser, string? operatingSystem)
    {
        var name = browser ?? UnknownBrowser;
        return operatingSystem is null ? name : $"{name} on {operatingSystem}";
    }
}
