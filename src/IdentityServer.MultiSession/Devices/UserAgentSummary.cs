namespace IdentityServer.MultiSession.Devices;

/// <summary>
/// Summarises a User-Agent header as the browser and operating system a person recognises ("Chrome" on "Windows", "Safari" on
/// "iPhone"). A small, deliberately coarse parser: it names the common browsers and systems, and anything else as unknown
/// (<c>null</c>); it never stores or returns the raw header.
/// </summary>
internal static class UserAgentSummary
{
    /// <summary>The longest header read; anything after it is ignored.</summary>
    public const int MaximumLength = 1024;

    /// <summary>Reads the browser and operating system from <paramref name="userAgent"/>; either is <c>null</c> when not recognised.</summary>
    /// <param name="userAgent">The request's User-Agent header, or <c>null</c>.</param>
    public static (string? Browser, string? OperatingSystem) Parse(string? userAgent)
    {
        if (string.IsNullOrWhiteSpace(userAgent))
        {
            return (null, null);
        }

        var ua = userAgent.Length > MaximumLength ? userAgent[..MaximumLength] : userAgent;
        return (ParseBrowser(ua), ParseOperatingSystem(ua));
    }

    private static string? ParseBrowser(string ua)
    {
        // Order matters: Edge, Opera and Samsung Internet also say "Chrome" and "Safari"; Chrome also says "Safari";
        // the iOS browsers name themselves with their own token (CriOS, FxiOS, EdgiOS).
        if (Has(ua, "Edg/") || Has(ua, "EdgA/") || Has(ua, "EdgiOS/") || Has(ua, "Edge/"))
        {
            return "Edge";
        }

        if (Has(ua, "OPR/") || Has(ua, "Opera"))
        {
            return "Opera";
        }

        if (Has(ua, "SamsungBrowser/"))
        {
            return "Samsung Internet";
        }

        if (Has(ua, "Firefox/") || Has(ua, "FxiOS/"))
        {
            return "Firefox";
        }

        if (Has(ua, "Chrome/") || Has(ua, "CriOS/") || Has(ua, "Chromium/"))
        {
            return "Chrome";
        }

        if (Has(ua, "Safari/") && Has(ua, "Version/"))
        {
            return "Safari";
        }

        return null;
    }

    private static string? ParseOperatingSystem(string ua)
    {
        if (Has(ua, "iPhone"))
        {
            return "iPhone";
        }

        if (Has(ua, "iPad"))
        {
            return "iPad";
        }

        if (Has(ua, "Android"))
        {
            return "Android";
        }

        if (Has(ua, "Windows"))
        {
            return "Windows";
        }

        if (Has(ua, "CrOS"))
        {
            return "ChromeOS";
        }

        if (Has(ua, "Mac OS X") || Has(ua, "Macintosh"))
        {
            return "macOS";
        }

        if (Has(ua, "Linux") || Has(ua, "X11"))
        {
            return "Linux";
        }

        return null;
    }

    private static bool Has(string ua, string token) => ua.Contains(token, StringComparison.OrdinalIgnoreCase);
}
