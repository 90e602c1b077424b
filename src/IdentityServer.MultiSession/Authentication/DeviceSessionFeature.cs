using IdentityServer.MultiSession.Sessions;

namespace IdentityServer.MultiSession.Authentication;

/// <summary>Default <see cref="IDeviceSessionFeature"/>.</summary>
/// <param name="Session">The session.</param>
internal sealed record DeviceSessionFeature(DeviceSession Session) : IDeviceSessionFeature;
