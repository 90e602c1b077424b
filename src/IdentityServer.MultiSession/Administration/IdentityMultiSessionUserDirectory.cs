using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace IdentityServer.MultiSession.Administration;

/// <summary>
/// <see cref="IMultiSessionUserDirectory"/> over ASP.NET Core Identity: exact matches by email, user name or id through
/// <see cref="UserManager{TUser}"/> (normalised, so case-insensitive); the display name from the host's claims principal factory.
/// </summary>
/// <typeparam name="TUser">The Identity user type.</typeparam>
public sealed class IdentityMultiSessionUserDirectory<TUser> : IMultiSessionUserDirectory
    where TUser : class
{
    private readonly UserManager<TUser> _users;
    private readonly IUserClaimsPrincipalFactory<TUser> _principals;
    private readonly IOptionsMonitor<MultiSessionOptions> _options;

    /// <summary>Creates the directory.</summary>
    public IdentityMultiSessionUserDirectory(UserManager<TUser> users, IUserClaimsPrincipalFactory<TUser> principals, IOptionsMonitor<MultiSessionOptions> options)
    {
        _users = users;
        _principals = principals;
        _options = options;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<MultiSessionUser>> FindAsync(string query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        query = query.Trim();
        if (query.Length == 0)
        {
            return [];
        }

        var found = new List<MultiSessionUser>();
        foreach (var user in new[]
        {
            query.Contains('@', StringComparison.Ordinal) && _users.SupportsUserEmail ? await _users.FindByEmailAsync(query) : null,
            await _users.FindByNameAsync(query),
            await _users.FindByIdAsync(query),
        })
        {
            if (user is not null)
            {
                var entry = await DescribeAsync(user);
                if (!found.Any(u => u.Id == entry.Id))
                {
                    found.Add(entry);
                }
            }
        }

        return found;
    }

    /// <inheritdoc />
    public async Task<MultiSessionUser?> FindByIdAsync(string userId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userId);
        var user = await _users.FindByIdAsync(userId);
        return user is null ? null : await DescribeAsync(user);
    }

    private async Task<MultiSessionUser> DescribeAsync(TUser user)
    {
        var principal = await _principals.CreateAsync(user);
        var userName = await _users.GetUserNameAsync(user);
        var email = _users.SupportsUserEmail ? await _users.GetEmailAsync(user) : null;
        var displayName = principal.FindFirst(_options.CurrentValue.DisplayNameClaimType)?.Value ?? userName;
        return new MultiSessionUser(await _users.GetUserIdAsync(user), userName, email, displayName);
    }
}
