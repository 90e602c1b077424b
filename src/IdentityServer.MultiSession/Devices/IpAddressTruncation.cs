using System.Net;

namespace IdentityServer.MultiSession.Devices;

/// <summary>
/// Truncates a network address to a coarse location that no longer names one host: IPv4 to its /24 (the last byte zero),
/// IPv6 to its /48. An IPv4 address mapped into IPv6 is truncated as IPv4.
/// </summary>
internal static class IpAddressTruncation
{
    /// <summary>The truncated address with its prefix length ("203.0.113.0/24", "2001:db8:85a3::/48"); <c>null</c> for <c>null</c>.</summary>
    /// <param name="address">The address.</param>
    public static string? Truncate(IPAddress? address)
    {
        if (address is null)
        {
            return null;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        var bytes = address.GetAddressBytes();
        if (bytes.Length == 4)
        {
            bytes[3] = 0;
            return $"{new IPAddress(bytes)}/24";
        }

        for (var i = 6; i < bytes.Length; i++)
        {
            bytes[i] = 0;
        }

        return $"{new IPAddress(bytes)}/48";
    }
}
