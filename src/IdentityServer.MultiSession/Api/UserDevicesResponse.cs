namespace IdentityServer.MultiSession.Api;

/// <summary>The answer of <c>GET /multi-session/devices</c>: the active account and its sessions on every device.</summary>
/// <param name="User">The account.</param>
/// <param name="Sessions">Its sessions, most recently used first, the calling browser's marked <c>current</c>.</param>
internal sealed record UserDevicesResponse(DeviceSessionUserResponse User, IReadOnlyList<UserDeviceSessionResponse> Sessions);
