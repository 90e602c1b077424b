namespace IdentityServer.MultiSession.Api;

/// <summary>The answer of <c>revoke</c> and <c>sign-out</c>: <c>{ "status": true }</c>.</summary>
/// <param name="Status">Always <c>true</c> on success.</param>
internal sealed record RevokeResponse(bool Status);
