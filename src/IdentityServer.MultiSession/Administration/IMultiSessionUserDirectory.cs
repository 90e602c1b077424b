namespace IdentityServer.MultiSession.Administration;

/// <summary>
/// Finds users for the administration pages and API. The library registers one over ASP.NET Core Identity's
/// <c>UserManager</c>; a host with another user store registers its own.
/// </summary>
public interface IMultiSessionUserDirectory
{
    /// <summary>The users whose email address, user name or id is <paramref name="query"/> (case-insensitive where the store allows); empty when none.</summary>
    Task<IReadOnlyList<MultiSessionUser>> FindAsync(string query, CancellationToken cancellationToken = default);

    /// <summary>The user with id <paramref name="userId"/>, or <c>null</c>.</summary>
    Task<MultiSessionUser?> FindByIdAsync(string userId, CancellationToken cancellationToken = default);
}
