using System.Net;
using IdentityServer.MultiSession.Devices;

namespace IdentityServer.MultiSession.Tests.Unit;

/// <summary>A recorded address is a coarse location: an IPv4 /24 or an IPv6 /48, never the host itself.</summary>
public sealed class IpAddressTruncationTests
{
    [Theory]
    [InlineData("203.0.113.77", "203.0.113.0/24")]
    [InlineData("::ffff:198.51.100.9", "198.51.100.0/24")]
    [InlineData("2001:db8:85a3:8d3:1319:8a2e:370:7348", "2001:db8:85a3::/48")]
    [InlineData("::1", "::/48")]
    public void An_address_is_cut_to_its_network(string address, string expected)
    {
        Assert.Equal(expected, IpAddressTruncation.Truncate(IPAddress.Parse(address)));
    }

    [Fact]
    public void No_address_records_nothing()
    {
        Assert.Null(IpAddressTruncation.Truncate(null));
    }
}
