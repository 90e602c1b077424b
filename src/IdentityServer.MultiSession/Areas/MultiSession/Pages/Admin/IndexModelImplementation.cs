using IdentityServer.MultiSession.Administration;
using IdentityServer.MultiSession.Http;
using IdentityServer.MultiSession.Storage;
using Microsoft.Extensions.Options;

namespace IdentityServer.MultiSession.Areas.MultiSession.Pages.Admin;

/// <summary>The administration page's implementation behind the public <see cref="IndexModel"/>.</summary>
internal sealed class IndexModelImplementation : IndexModel
{
    private readonly IMultiSessionUserDirectory _users;
    private readonly IDeviceSessionStore _store;
    private readonly MultiSessionEffectiveOptions _effective;
    private readonly IOptionsMonitor<MultiSessionOptions> _options;
    private readonly TimeProvider _time;

    public IndexModelImplementation(IMultiSessionUserDirectory users, IDeviceSessionStore store, MultiSessionEffectiveOptions effective, IOptionsMonitor<MultiSessionOptions> options, TimeProvider time)
    {
        _users = users;
        _store = store;
        _effective = effective;
        _options = options;
        _time = time;
    }

    public override async Task OnGetAsync()
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
