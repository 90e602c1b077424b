namespace IdentityServer.MultiSession.BrowserTests.Infrastructure;

/// <summary>
/// Finds the system's Chromium and launches it as Playwright wants it here. Playwright's own browser download is not used:
/// the tests drive Debian's <c>chromium</c> package (<c>/usr/bin/chromium</c>), or the executable named by
/// <see cref="PathVariable"/>. A missing browser is a test failure with instructions, never a silent skip.
/// </summary>
public static class Chromium
{
    /// <summary>An environment variable naming another Chromium or Chrome executable.</summary>
    public const string PathVariable = "MULTISESSION_CHROMIUM";

    private static readonly string[] KnownPaths = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

    /// <summary>The Chromium executable; throws with instructions when there is none.</summary>
    public static string Locate()
    {
        var configured = Environment.GetEnvironmentVariable(PathVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return File.Exists(configured)
                ? configured
                : throw new InvalidOperationException($"{PathVariable} names '{configured}', which does not exist.");
        }

        return KnownPaths.FirstOrDefault(File.Exists) ?? throw new InvalidOperationException(
            "The browser tests need Chromium, and none was found at " + string.Join(" or ", KnownPaths) + ". " +
            "On Debian or Ubuntu: sudo apt-get update && sudo apt-get install -y chromium. " +
            $"Elsewhere, set {PathVariable} to a Chromium or Chrome executable. " +
            "(.ci/run installs it itself; Playwright's own browser download is not used.)");
    }

    /// <summary>Headless launch options for <paramref name="executablePath"/>.</summary>
    public static BrowserTypeLaunchOptions LaunchOptions(string executablePath)
    {
        var args = new List<string>
        {
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        };
        if (Environment.UserName == "root")
        {
            // Chromium refuses to start its sandbox as root (CI and containers run as root).
            args.Add("--no-sandbox");
        }

        return new BrowserTypeLaunchOptions
        {
            ExecutablePath = executablePath,
            Headless = true,
            Args = args,
        };
    }
}
