namespace IdentityServer.MultiSession.Storage;

/// <summary>The outcome of revoking one session.</summary>
/// <param name="Revoked">The session that ended.</param>
/// <param name="NewActiveSessionId">The session active afterwards, or <c>null</c>.</param>
/// <param name="DeviceRemoved"><c>true</c> when no session remained and the device was removed (the device is signed out).</param>
public sealed record DeviceRevocation(DeviceSessionEntity Revoked, string? NewActiveSessionId, bool DeviceRemoved);
