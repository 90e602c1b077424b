using System.Security.Claims;

namespace IdpHost.Identity;

/// <summary>
/// The RFC 8176 authentication method reference values (<c>amr</c>) that the sample records for each sign-in, derived from
/// the claims Identity passes to <c>SignInWithClaimsAsync</c>: its own <c>amr</c> claim (<c>pwd</c> for a password,
/// <c>mfa</c> after a second factor) and <see cref="ClaimTypes.AuthenticationMethod"/> (the external provider's scheme).
/// </summary>
public static class AuthenticationMethods
{
    /// <summary>The claim type, as in ID tokens.</summary>
    public const string ClaimType = "amr";

    /// <summary>Password.</summary>
    public const string Password = "pwd";

    /// <summary>Federated: an external identity provider authenticated the user.</summary>
    public const string Federated = "fed";

    /// <summary>Multiple factors.</summary>
    public const string MultipleFactors = "mfa";

    /// <summary>A one-time password (an authenticator app's TOTP code).</summary>
    public const string OneTimePassword = "otp";

    /// <summary>Proof of possession of a hardware-secured key: a passkey bound to its authenticator.</summary>
    public const string HardwareKey = "hwk";

    /// <summary>Proof of possession of a software-secured key: a synced passkey, whose private key may leave the device.</summary>
    public const string SoftwareKey = "swk";

    /// <summary>
    /// The methods of a passkey sign-in (RFC 8176), by one rule: the key's kind first, <c>hwk</c> when the authenticator says the
    /// credential cannot be backed up (a device-bound key: a security key, or a platform authenticator that does not sync) and
    /// <c>swk</c> when it can (a synced passkey, whose private key is copied between devices by a password manager or a
    /// platform keychain); then <c>mfa</c> when the authenticator verified the user (PIN or biometric) as well as their
    /// possession of the key, which Identity requires by default. Never <c>pwd</c>: no password was used.
    /// </summary>
    public static IReadOnlyList<string> FromPasskey(bool isBackupEligible, bool isUserVerified)
    {
        var methods = new List<string> { isBackupEligible ? SoftwareKey : HardwareKey };
        if (isUserVerified)
        {
            methods.Add(MultipleFactors);
        }

        return methods;
    }

    /// <summary>
    /// The methods of a sign-in: the first factor (<c>fed</c> when an external provider signed the user in, else <c>pwd</c>),
    /// then <c>mfa</c> and the second factor's method when Identity reports a two-factor sign-in. A recovery code adds no
    /// method of its own (RFC 8176 has none for it): <c>pwd mfa</c>.
    /// </summary>
    public static IReadOnlyList<string> FromIdentityClaims(IEnumerable<Claim> claims, string? secondFactor)
    {
        ArgumentNullException.ThrowIfNull(claims);
        var list = claims.ToList();
        var identityAmr = list.Where(c => c.Type == ClaimType).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        var external = list.Any(c => c.Type == ClaimTypes.AuthenticationMethod);
        var methods = new List<string> { external ? Federated : Password };
        if (identityAmr.Contains(MultipleFactors))
        {
            methods.Add(MultipleFactors);
            if (secondFactor is not null)
            {
                methods.Add(secondFactor);
            }
        }

        return methods;
    }
}
