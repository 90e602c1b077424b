namespace IdentityServer.MultiSession.Storage;

/// <summary>One of a user's sessions, on any device, with the OIDC clients that received tokens through it.</summary>
/// <param name="Session">The session.</param>
/// <param name="ClientIds">The client ids, in order.</param>
public sealed record UserSessionRow(StoredDeviceSession Session, IReadOnlyList<string> ClientIds);
