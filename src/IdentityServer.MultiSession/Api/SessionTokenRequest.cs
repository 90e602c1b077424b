namespace IdentityServer.MultiSession.Api;

/// <summary>The body of <c>set-active</c> and <c>revoke</c>: <c>{ "sessionToken": "…" }</c>.</summary>
/// <param name="SessionToken">The session handle.</param>
internal sealed record SessionTokenRequest(string? SessionToken);
