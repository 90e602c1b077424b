namespace IdentityServer.MultiSession.Storage;

/// <summary>The outcome of revoking one session.</summary>
/// <param name="Revoked">The session that ended.</param>
/// <param name="NewActiveSessionId">The session active afterwards, or <c>null</c>.</param>
/// <param name="DeviceRemoved"><c>true</c> when no session remained and the device was removed (the device is signed out).</param>
public sealed record DeviceRevocation(StoredDeviceSession Revoked, string? NewActiveSessionId, bool DeviceRemoved)
{
    /// <summary><c>true</c> when the device's active session changed (the revoked one was active, or none was).</summary>
    public bool ActiveChanged { get; init; }
}
