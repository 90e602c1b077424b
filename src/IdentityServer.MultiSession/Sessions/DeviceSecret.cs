using System.Buffers.Text;
using System.Security.Cryptography;

namespace IdentityServer.MultiSession.Sessions;

/// <summary>
/// Creates device secrets (256 random bits) and the hashes stored in their place (BEHAVIOUR.md §2, §7).
/// </summary>
internal static class DeviceSecret
{
    /// <summary>Length of a secret: 32 bytes in base64url without padding.</summary>
    public const int EncodedLength = 43;

    public static string Create() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    /// <summary>Creates a random identifier of 128 bits, base64url (22 characters): session ids, handles, device ids.</summary>
    public static string CreateId() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));

    /// <summary>Hashes a well-formed secret; <c>null</c> for anything that cannot be one (garbage, truncated, oversized).</summary>
    public static string? TryHash(string? secret)
    {
        if (secret is null || secret.Length != EncodedLength || !Base64Url.IsValid(secret, out var length) || length != 32)
        {
            return null;
        }

        Span<byte> bytes = stackalloc byte[32];
        if (Base64Url.DecodeFromChars(secret, bytes) != 32)
        {
            return null;
        }

        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    /// <summary><c>true</c> when <paramref name="value"/> has the shape of an id made by <see cref="CreateId"/>.</summary>
    public static bool IsWellFormedId(string? value) =>
        value is { Length: 22 } && Base64Url.IsValid(value, out var length) && length == 16;
}
