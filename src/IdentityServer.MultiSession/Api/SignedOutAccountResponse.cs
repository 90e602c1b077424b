using IdentityServer.MultiSession.Sessions;

namespace IdentityServer.MultiSession.Api;

/// <summary>
/// One account signed out on this browser that its picker still lists (<see cref="MultiSessionOptions.RememberSignedOutAccounts"/>),
/// in <c>GET /multi-session/list-device-sessions?include=signedOut</c>.
/// </summary>
/// <param name="Id">The entry's id on this browser, for <c>DELETE /multi-session/signed-out-accounts/{id}</c>.</param>
/// <param name="Name">The display name.</param>
/// <param name="LoginName">The email, or the user name when the account has none (the login form's hint).</param>
/// <param name="SignedOutAt">When the user signed it out on this browser.</param>
/// <param name="ExpiresAt">When the entry is forgotten.</param>
internal sealed record SignedOutAccountResponse(string Id, string Name, string LoginName, DateTimeOffset SignedOutAt, DateTimeOffset ExpiresAt)
{
    internal static SignedOutAccountResponse From(RememberedAccount account) =>
        new(account.Id, account.DisplayName, account.LoginName, account.SignedOutAt, account.ExpiresAt);
}
