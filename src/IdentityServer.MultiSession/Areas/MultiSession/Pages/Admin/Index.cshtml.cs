using IdentityServer.MultiSession.Administration;
using IdentityServer.MultiSession.Http;
using IdentityServer.MultiSession.Storage;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace IdentityServer.MultiSession.Areas.MultiSession.Pages.Admin;

/// <summary>
/// The administration page: find a user by email or user name, the settings in force with where each came from, and live
/// figures of the store. Guarded by <see cref="MultiSessionOptions.AdministrationPolicy"/>.
/// </summary>
[MultiSessionAdministration]
public class IndexModel : PageModel
{
    /// <summary>The longest query accepted.</summary>
    public const int MaximumQueryLength = 256;

    private readonly IMultiSessionUserDirectory _users;
    private readonly IDeviceSessionStore _store;
    private readonly MultiSessionEffectiveOptions _effective;
    private readonly IOptionsMonitor<MultiSessionOptions> _options;
    private readonly TimeProvider _time;

    /// <summary>Creates the page.</summary>
    public IndexModel(IMultiSessionUserDirectory users, IDeviceSessionStore store, MultiSessionEffectiveOptions effective, IOptionsMonitor<MultiSessionOptions> options, TimeProvider time)
    {
        _users = users;
        _store = store;
        _effective = effective;
        _options = options;
        _time = time;
    }

    /// <summary>The email address or user name searched for.</summary>
    [BindProperty(SupportsGet = true, Name = "query")]
    public string? Query { get; set; }

    /// <summary>The users found; <c>null</c> before a search.</summary>
    public IReadOnlyList<MultiSessionUser>? Users { get; private set; }

    /// <summary><c>true</c> when the query was given but empty or too long.</summary>
    public bool QueryInvalid { get; private set; }

    /// <summary>The settings in force.</summary>
    public IReadOnlyList<EffectiveSetting> Settings { get; private set; } = [];

    /// <summary>The limit in force.</summary>
    public int MaximumSessions { get; private set; }

    /// <summary>Live figures.</summary>
    public MultiSessionStatistics? Statistics { get; private set; }

    /// <summary>Shows the search, its results, the settings and the figures.</summary>
    public async Task OnGetAsync()
    {
        Response.PreventCaching();
        if (Query is not null)
        {
            var query = Query.Trim();
            if (query.Length is 0 or > MaximumQueryLength)
            {
                QueryInvalid = true;
                Response.StatusCode = Microsoft.AspNetCore.Http.StatusCodes.Status400BadRequest;
            }
            else
            {
                Users = await _users.FindAsync(query, HttpContext.RequestAborted);
            }
        }

        Settings = _effective.Read();
        MaximumSessions = _options.CurrentValue.MaximumSessions;
        Statistics = await _store.GetStatisticsAsync(_time.GetUtcNow(), MaximumSessions, HttpContext.RequestAborted);
    }
}
