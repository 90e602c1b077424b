using System.Security.Cryptography;
using System.Text;

namespace IdentityServer.MultiSession.Authentication;

/// <summary>
/// The form in which a device session records the security stamp it was created under: the hex SHA-256 hash of the stamp
/// (the stamp itself is never stored with the session). A user store without stamps hashes as the empty stamp.
/// </summary>
public static class SecurityStampHash
{
    /// <summary>The hash of <paramref name="stamp"/>.</summary>
    public static string Of(string? stamp) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(stamp ?? string.Empty)));
}
