namespace IdentityServer.MultiSession.Tests.Infrastructure;

/// <summary>The host on SQLite with the device lookup cache on (<c>MultiSession:DeviceLookupCache=On</c>), as a class fixture.</summary>
public sealed class CachedLookupIdpFactory : IdpFactory
{
    public CachedLookupIdpFactory()
    {
        Settings["MultiSession:DeviceLookupCache"] = "On";
    }
}
