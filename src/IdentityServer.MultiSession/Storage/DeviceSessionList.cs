namespace IdentityServer.MultiSession.Storage;

/// <summary>The unexpired sessions of a device, most recently used first, and the id of the active one.</summary>
/// <param name="DeviceId">The device id, or <c>null</c> when the secret names no device.</param>
/// <param name="ActiveSessionId">The active session id, if any.</param>
/// <param name="Sessions">The sessions, most recently used first.</param>
public sealed record DeviceSessionList(string? DeviceId, string? ActiveSessionId, IReadOnlyList<StoredDeviceSession> Sessions)
{
    /// <summary>The list of a device that does not exist.</summary>
    public static DeviceSessionList Empty { get; } = new(null, null, []);
}
