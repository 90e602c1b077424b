using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;

namespace IdpHost.Oidc;

/// <summary>
/// Chooses OpenIddict's signing and encryption keys: certificates from configuration (<c>Oidc:SigningCertificate</c>,
/// <c>Oidc:EncryptionCertificate</c>, each with <c>Path</c> and <c>Password</c>), development certificates in Development,
/// or ephemeral keys when <c>Oidc:UseEphemeralKeys</c> is true (tests).
/// </summary>
public static class SigningKeys
{
    /// <summary>Adds the keys to the OpenIddict server.</summary>
    public static OpenIddictServerBuilder AddConfiguredKeys(this OpenIddictServerBuilder server, IConfiguration configuration, IHostEnvironment environment)
    {
        var signing = configuration.GetSection("Oidc:SigningCertificate");
        var encryption = configuration.GetSection("Oidc:EncryptionCertificate");
        if (!string.IsNullOrEmpty(signing["Path"]) || !string.IsNullOrEmpty(encryption["Path"]))
        {
            server.AddSigningCertificate(Load(signing, "Oidc:SigningCertificate"));
            server.AddEncryptionCertificate(Load(encryption, "Oidc:EncryptionCertificate"));
        }
        else if (configuration.GetValue<bool>("Oidc:UseEphemeralKeys"))
        {
            server.AddEphemeralSigningKey().AddEphemeralEncryptionKey();
        }
        else if (environment.IsDevelopment())
        {
            server.AddDevelopmentSigningCertificate().AddDevelopmentEncryptionCertificate();
        }
        else
        {
            throw new InvalidOperationException(
                "Outside Development the IdP needs Oidc:SigningCertificate:Path and Oidc:EncryptionCertificate:Path (PKCS#12 files, with :Password).");
        }

        return server;
    }

    private static X509Certificate2 Load(IConfigurationSection section, string name)
    {
        var path = section["Path"];
        if (string.IsNullOrEmpty(path) || !File.Exists(path))
        {
            throw new InvalidOperationException($"{name}:Path must name an existing PKCS#12 file (was '{path}').");
        }

        return X509CertificateLoader.LoadPkcs12FromFile(path, section["Password"], X509KeyStorageFlags.EphemeralKeySet);
    }
}
