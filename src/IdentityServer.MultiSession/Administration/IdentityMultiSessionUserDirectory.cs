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

        // The same user is often found by email, name and id at once: each is described (a claims principal built) once.
        var found = new List<MultiSessionUser>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var user in new[]
        {
            query.Contains('@', StringComparison.Ordinal) && _users.SupportsUserEmail ? await FindOrNullAsync(() => _users.FindByEmailAsync(query)) : null,
            await _users.FindByNameAsync(query),
            await FindOrNullAsync(() => _users.FindByIdAsync(query)),
        })
        {
            if (user is not null && seen.Add(await _users.GetUserIdAsync(user)))
            {
                found.Add(await DescribeAsync(user));
            }
        }

        return found;
    }

    /// <inheritdoc />
    public async Task<MultiSessionUser?> FindByIdAsync(string userId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userId);
        var user = await FindOrNullAsync(() => _users.FindByIdAsync(userId));
        return user is null ? null : await DescribeAsync(user);
    }

    /// <summary>
    /// A lookup that names no user: Identity throws for an id its key type cannot parse (a Guid or int key given
    /// "alice@example.com") and for an email two users share (unique emails are not required by default).
    /// </summary>
    private static async Task<TUser?> FindOrNullAsync(Func<Task<TUser?>> find)
    {
        try
        {
            return await find();
        }
        catch (Exception exception) when (exception is FormatException or ArgumentException or InvalidOperationException or OverflowException)
        {
            return null;
        }
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
