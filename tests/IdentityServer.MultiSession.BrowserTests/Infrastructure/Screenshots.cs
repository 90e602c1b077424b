namespace IdentityServer.MultiSession.BrowserTests.Infrastructure;

/// <summary>
/// Saves the README's pictures into <c>docs/images/</c> when <see cref="Variable"/> is <c>1</c>
/// (<c>MULTISESSION_SCREENSHOTS=1 dotnet test MultiSession.sln</c>); otherwise does nothing.
/// </summary>
public static class Screenshots
{
    /// <summary>The environment variable that turns the pictures on.</summary>
    public const string Variable = "MULTISESSION_SCREENSHOTS";

    private const int DesktopWidth = 720;

    /// <summary><c>true</c> when pictures are wanted.</summary>
    public static bool Enabled => Environment.GetEnvironmentVariable(Variable) is "1" or "true";

    /// <summary>Saves the page as <c>docs/images/{name}.png</c>, <paramref name="width"/> CSS pixels wide (720 unless given).</summary>
    public static async Task SaveAsync(IPage page, string name, int width = DesktopWidth)
    {
        if (!Enabled)
        {
            return;
        }

        var directory = Path.Combine(RepositoryRoot(), "docs", "images");
        Directory.CreateDirectory(directory);

        // No caret or focus ring in the picture, whatever the test did last; a narrow, short viewport, so that the full-page
        // picture is as tall as the content and no taller.
        await page.EvaluateAsync("() => document.activeElement instanceof HTMLElement && document.activeElement.blur()");
        var viewport = page.ViewportSize;
        await page.SetViewportSizeAsync(width, 200);
        try
        {
            await page.ScreenshotAsync(new PageScreenshotOptions
            {
                Path = Path.Combine(directory, name + ".png"),
                FullPage = true,
                Animations = ScreenshotAnimations.Disabled,
            });
        }
        finally
        {
            if (viewport is not null)
            {
                await page.SetViewportSizeAsync(viewport.Width, viewport.Height);
            }
        }
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "MultiSession.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("MultiSession.sln was not found above " + AppContext.BaseDirectory);
    }
}
