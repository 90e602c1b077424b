namespace IdentityServer.MultiSession.Storage;

/// <summary>A device and the session found with it (<c>null</c> when the named or active session is gone or expired).</summary>
/// <param name="Device">The device.</param>
/// <param name="Session">The session, if any.</param>
public sealed record DeviceLookup(StoredDevice Device, StoredDeviceSession? Session);
