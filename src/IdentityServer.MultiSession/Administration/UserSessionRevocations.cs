using IdentityServer.MultiSession.Localization;
using IdentityServer.MultiSession.Sessions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Localization;

namespace IdentityServer.MultiSession.Administration;

/// <summary>
/// What "Your devices" (the page and the JSON API) and the administration (the page and the API) share when they end a
/// user's sessions on other devices: whose sessions they are (the browser's active account, or the user an administrator
/// named), the reason recorded (<see cref="SessionEndReason.User"/> for the account itself, <see cref="SessionEndReason.Admin"/>
/// for an administrator), the guards on the ids, and the device's description in the page's language.
/// </summary>
internal static class UserSessionRevocations
{
    /// <summary>The longest user id looked up (Identity's key column); a longer one names nobody.</summary>
    public const int MaximumUserIdLength = 450;

    /// <summary>The active account of the calling browser: whose devices "Your devices" lists and ends; <c>null</c> when none.</summary>
    public static async Task<DeviceSession?> FindActiveAccountAsync(this IDeviceSessionService sessions, HttpContext context) =>
        (await sessions.ListAsync(context, context.RequestAborted)).FirstOrDefault(s => s.IsActive);

    /// <summary>
    /// The account signs itself out of one of its sessions (any device); <c>false</c> when <paramref name="sessionId"/> names no
    /// live session of that account.
    /// </summary>
    public static Task<bool> SignOutDeviceAsync(this IDeviceSessionService sessions, DeviceSession account, string? sessionId, CancellationToken cancellationToken) =>
        string.IsNullOrEmpty(sessionId)
            ? Task.FromResult(false)
            : sessions.RevokeUserSessionAsync(account.UserId, sessionId, SessionEndReason.User, cancellationToken);

    /// <summary>The account signs itself out of every device but this browser's session; the number ended.</summary>
    public static Task<int> SignOutOtherDevicesAsync(this IDeviceSessionService sessions, DeviceSession account, CancellationToken cancellationToken) =>
        sessions.RevokeOtherSessionsAsync(account.UserId, account.SessionId, SessionEndReason.User, cancellationToken);

    /// <summary>The user an administrator named by id; <c>null</c> when the id is empty, too long, or names nobody.</summary>
    public static async Task<MultiSessionUser?> FindTargetUserAsync(this IMultiSessionUserDirectory users, string? id, CancellationToken cancellationToken) =>
        string.IsNullOrEmpty(id) || id.Length > MaximumUserIdLength ? null : await users.FindByIdAsync(id, cancellationToken);

    /// <summary>An administrator ends one session of <paramref name="user"/>; <c>false</c> when it names no live session of the user.</summary>
    public static Task<bool> RevokeAsAdministratorAsync(this IDeviceSessionService sessions, MultiSessionUser user, string? sessionId, CancellationToken cancellationToken) =>
        string.IsNullOrEmpty(sessionId)
            ? Task.FromResult(false)
            : sessions.RevokeUserSessionAsync(user.Id, sessionId, SessionEndReason.Admin, cancellationToken);

    /// <summary>An administrator ends every session of <paramref name="user"/>, on every device; the number ended.</summary>
    public static Task<int> RevokeAllAsAdministratorAsync(this IDeviceSessionService sessions, MultiSessionUser user, CancellationToken cancellationToken) =>
        sessions.RevokeUserSessionsAsync(user.Id, SessionEndReason.Admin, cancellationToken);

    /// <summary>"Chrome on Windows", in the page's language.</summary>
    public static string DescribeDevice(this IStringLocalizer<MultiSessionText> text, UserDeviceSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        var browser = session.Browser ?? text["Devices_UnknownBrowser"].Value;
        return session.OperatingSystem is null ? browser : text["Devices_BrowserOnSystem", browser, session.OperatingSystem].Value;
    }
}
