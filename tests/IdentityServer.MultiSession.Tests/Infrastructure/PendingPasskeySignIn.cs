using System.Text.Json.Nodes;

namespace IdentityServer.MultiSession.Tests.Infrastructure;

/// <summary>A passkey sign-in started on the login page (one tab): the form to post back and the ceremony's options.</summary>
/// <param name="Action">The passkey form's action.</param>
/// <param name="Fields">The form's fields, the ceremony's attempt id included.</param>
/// <param name="Options">The WebAuthn request options.</param>
public sealed record PendingPasskeySignIn(string Action, Dictionary<string, string> Fields, JsonNode Options);
