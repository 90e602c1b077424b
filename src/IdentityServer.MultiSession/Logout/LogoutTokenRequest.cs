namespace IdentityServer.MultiSession.Logout;

/// <summary>The facts a logout token states: this account's session ended, told to this client.</summary>
/// <param name="Subject">The user id (<c>sub</c>).</param>
/// <param name="SessionId">The ended session (<c>sid</c>).</param>
/// <param name="ClientId">The audience (<c>aud</c>).</param>
/// <param name="TokenId">The unique token id (<c>jti</c>).</param>
public sealed record LogoutTokenRequest(string Subject, string SessionId, string ClientId, string TokenId);
