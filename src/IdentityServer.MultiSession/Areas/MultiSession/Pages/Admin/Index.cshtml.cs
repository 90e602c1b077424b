using IdentityServer.MultiSession.Administration;
using IdentityServer.MultiSession.Http;
using IdentityServer.MultiSession.Storage;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityServer.MultiSession.Areas.MultiSession.Pages.Admin;

/// <summary>
/// The administration page: find a user by email or user name, the settings in force with where each came from, and live
/// figures of the store. Guarded by <see cref="MultiSessionOptions.AdministrationPolicy"/>. This public type is what the page
/// renders, for a host that keeps its own copy of <c>Areas/MultiSession/Pages/Admin/Index.cshtml</c>; the library's internal
/// implementation does the work.
/// </summary>
[MultiSessionAdministration]
[PageImplementationType(typeof(IndexModelImplementation))]
public abstract class IndexModel : PageModel
{
    /// <summary>The longest query accepted.</summary>
    public const int MaximumQueryLength = 256;

    private protected IndexModel()
    {
    }

    /// <summary>The email address or user name searched for.</summary>
    [BindProperty(SupportsGet = true, Name = "query")]
    public string? Query { get; set; }

    /// <summary>The users found; <c>null</c> before a search.</summary>
    public IReadOnlyList<MultiSessionUser>? Users { get; private protected set; }

    /// <summary><c>true</c> when the query was given but empty or too long.</summary>
    public bool QueryInvalid { get; private protected set; }

    /// <summary>The settings in force.</summary>
    public IReadOnlyList<EffectiveSetting> Settings { get; private protected set; } = [];

    /// <summary>The limit in force.</summary>
    public int MaximumSessions { get; private protected set; }

    /// <summary>Live figures.</summary>
    public MultiSessionStatistics? Statistics { get; private protected set; }

    /// <summary>Shows the search, its results, the settings and the figures. (Page handler, implemented by the library.)</summary>
    public virtual Task OnGetAsync() => throw new NotSupportedException();
}
