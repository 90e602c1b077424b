using Microsoft.AspNetCore.Http;

namespace IdentityServer.MultiSession.Sessions;

/// <summary>
/// The accounts signed out on the current device that its picker lists as "Signed out", when
/// <see cref="MultiSessionOptions.RememberSignedOutAccounts"/> is on. The device is the one named by the request's device cookie.
/// Entries are added by <see cref="IDeviceSessionService.SignOutAccountAsync(Microsoft.AspNetCore.Http.HttpContext, string, System.Threading.CancellationToken)"/>.
/// </summary>
public interface IRememberedAccountService
{
    /// <summary>The device's unexpired entries, most recently signed out first; empty when the option is off.</summary>
    Task<IReadOnlyList<RememberedAccount>> ListAsync(HttpContext context, CancellationToken cancellationToken = default);

    /// <summary>Forgets the entry <paramref name="id"/> of this device; <c>false</c> when it names none (or the option is off).</summary>
    Task<bool> ForgetAsync(HttpContext context, string id, CancellationToken cancellationToken = default);
}
