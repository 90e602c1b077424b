namespace IdentityServer.MultiSession.Logout;

/// <summary>What a client registered for logout notifications.</summary>
/// <param name="ClientId">The client id.</param>
/// <param name="BackChannelLogoutUri">Where logout tokens are POSTed, or <c>null</c>.</param>
/// <param name="BackChannelLogoutSessionRequired">Whether the client requires the <c>sid</c> in logout tokens (it is always sent).</param>
/// <param name="FrontChannelLogoutUri">The page loaded in a hidden frame when the account signs out, or <c>null</c>.</param>
/// <param name="FrontChannelLogoutSessionRequired">Whether <c>iss</c> and <c>sid</c> are added to the front-channel URI.</param>
public sealed record RelyingPartyLogoutRegistration(
    string ClientId,
    Uri? BackChannelLogoutUri,
    bool BackChannelLogoutSessionRequired,
    Uri? FrontChannelLogoutUri,
    bool FrontChannelLogoutSessionRequired);
