using System.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdpHost.Pages;

/// <summary>The error page shown by the exception handler.</summary>
[ResponseCache(Duration = 0, Location = ResponseCacheLocation.None, NoStore = true)]
[IgnoreAntiforgeryToken]
public sealed class ErrorModel : PageModel
{
    /// <summary>The request id, to find the log entry.</summary>
    public string? RequestId { get; private set; }

    /// <summary>Shows the page.</summary>
    public void OnGet() => RequestId = Activity.Current?.Id ?? HttpContext.TraceIdentifier;

    /// <summary>Shows the page for a failed POST.</summary>
    public void OnPost() => OnGet();
}
