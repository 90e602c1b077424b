using IdentityServer.MultiSession.Sessions;

namespace IdentityServer.MultiSession.Authentication;

/// <summary>The device session that authenticated the current request, as an <c>HttpContext.Features</c> entry.</summary>
public interface IDeviceSessionFeature
{
    /// <summary>The session.</summary>
    DeviceSession Session { get; }
}
