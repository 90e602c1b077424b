namespace IdpHost.Identity;

/// <summary>
/// A passkey ceremony started for the browser: the options to hand to <c>navigator.credentials.create()</c> or
/// <c>.get()</c> (WebAuthn's JSON form), and the id of the pending attempt that holds its state, which the page posts back
/// with the authenticator's answer.
/// </summary>
/// <param name="OptionsJson">The WebAuthn options, as JSON.</param>
/// <param name="AttemptId">The pending attempt's id.</param>
public sealed record PasskeyCeremony(string OptionsJson, string AttemptId);
