namespace IdentityServer.MultiSession.Sessions;

/// <summary>The model of the limit-reached message.</summary>
/// <param name="Message">"This browser already has N accounts signed in. Sign out of one to add another.", localised.</param>
/// <param name="Sessions">The accounts, each with a sign-out button.</param>
/// <param name="SignOutAction">The URL the sign-out forms post to.</param>
/// <param name="ReturnUrl">
/// Where to go after signing out of one: back to the page that tried to sign in, with what the user typed as the login hint.
/// </param>
public sealed record MultiSessionLimitViewModel(string Message, IReadOnlyList<DeviceSession> Sessions, string SignOutAction, string ReturnUrl);
