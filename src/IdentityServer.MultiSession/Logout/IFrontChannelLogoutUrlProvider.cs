namespace IdentityServer.MultiSession.Logout;

/// <summary>
/// The front-channel logout URLs (OpenID Connect Front-Channel Logout 1.0) of the clients that received tokens through one
/// session, with <c>iss</c> and that session's <c>sid</c> when the client asked for them. Read before the session ends; the page
/// that confirms the sign-out loads each in a hidden frame.
/// </summary>
public interface IFrontChannelLogoutUrlProvider
{
    /// <summary>The URLs to load for the end of <paramref name="sessionId"/>; empty when no client of it registered one.</summary>
    Task<IReadOnlyList<Uri>> GetUrlsAsync(string sessionId, CancellationToken cancellationToken = default);
}
