using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;

namespace IdpHost.Data;

/// <summary>
/// Encrypts the data-protection key ring at rest. The keys protect the antiforgery tokens, the picker's account selection,
/// Identity's tokens and the principals stored with device sessions; they are kept in the database, so outside Development
/// they are encrypted with a certificate from configuration (<c>DataProtection:Certificate:Path</c>, a PKCS#12 file, and
/// <c>:Password</c>) and the host refuses to start without one. Development keeps them unencrypted.
/// </summary>
public static class KeyRingProtection
{
    /// <summary>The configuration section of the certificate.</summary>
    public const string Section = "DataProtection:Certificate";

    /// <summary>Protects the key ring with the configured certificate; outside Development one is required.</summary>
    public static IDataProtectionBuilder ProtectKeysIfConfigured(this IDataProtectionBuilder builder, IConfiguration configuration, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);
        var section = configuration.GetSection(Section);
        var path = section["Path"];
        if (string.IsNullOrEmpty(path))
        {
            if (environment.IsDevelopment())
            {
                return builder;
            }

            throw new InvalidOperationException(
                $"Outside Development the IdP needs {Section}:Path (a PKCS#12 file, with {Section}:Password) to encrypt its data-protection keys at rest.");
        }

        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{Section}:Path must name an existing PKCS#12 file (was '{path}').");
        }

        // The private key must stay usable after loading: the key ring is decrypted with it whenever keys are read.
        var certificate = X509CertificateLoader.LoadPkcs12FromFile(path, section["Password"], X509KeyStorageFlags.EphemeralKeySet);
        if (!certificate.HasPrivateKey)
        {
            throw new InvalidOperationException($"{Section}:Path must name a certificate with its private key.");
        }

        return builder.ProtectKeysWithCertificate(certificate).UnprotectKeysWithAnyCertificate(certificate);
    }
}
