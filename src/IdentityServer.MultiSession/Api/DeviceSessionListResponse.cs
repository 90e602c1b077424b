using System.Text.Json.Serialization;

namespace IdentityServer.MultiSession.Api;

/// <summary>
/// The answer of <c>GET /multi-session/list-device-sessions?include=signedOut</c>: the signed-in accounts (the entries of the
/// plain list) and, when <see cref="MultiSessionOptions.RememberSignedOutAccounts"/> is on, the accounts signed out on this
/// browser. Without <c>include</c> the list stays the plain array.
/// </summary>
/// <param name="Sessions">The signed-in accounts, most recently used first.</param>
/// <param name="SignedOutAccounts">The accounts signed out on this browser, most recent first; absent when the option is off.</param>
internal sealed record DeviceSessionListResponse(
    IReadOnlyList<DeviceSessionResponse> Sessions,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<SignedOutAccountResponse>? SignedOutAccounts);
