namespace IdentityServer.MultiSession.Authorization;

/// <summary>
/// A one-shot account choice bound to one authorization request: it travels in that request's URL, so the account
/// picked in one tab is the one that tab's client receives, whatever another tab does (BEHAVIOUR.md §4).
/// </summary>
/// <param name="Kind">How the account was chosen.</param>
/// <param name="SessionId">The picked session, for <see cref="AccountSelectionKind.Picked"/>.</param>
/// <param name="IssuedAt">When the choice was made, or the login page was offered.</param>
internal sealed record AccountSelection(AccountSelectionKind Kind, string? SessionId, DateTimeOffset IssuedAt);
