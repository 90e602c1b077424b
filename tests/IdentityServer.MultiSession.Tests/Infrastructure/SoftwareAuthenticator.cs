using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;

namespace IdentityServer.MultiSession.Tests.Infrastructure;

/// <summary>
/// A WebAuthn authenticator in software, for tests without a browser: one discoverable ES256 credential (P-256), created with
/// "none" attestation and answering assertions as <c>navigator.credentials.create()</c> and <c>.get()</c> would serialise them
/// (WebAuthn's JSON form), for the origin <c>http://localhost</c> of the test host unless told otherwise. User presence and verification are
/// always asserted; <see cref="BackupEligible"/> says whether it reports the credential as a synced one.
/// </summary>
public sealed class SoftwareAuthenticator : IDisposable
{
    /// <summary>The origin the test host is reached at.</summary>
    public const string DefaultOrigin = "http://localhost";

    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private uint _signCount;

    /// <summary>Creates an authenticator; with <paramref name="backupEligible"/>, its credential is reported as syncable.</summary>
    public SoftwareAuthenticator(bool backupEligible = false) => BackupEligible = backupEligible;

    /// <summary>The origin the answers name as the page's (a phishing site's, to test that it is refused).</summary>
    public string Origin { get; set; } = DefaultOrigin;

    /// <summary><c>true</c> when the credential is reported as backup eligible (a synced passkey).</summary>
    public bool BackupEligible { get; }

    /// <summary>The credential's id.</summary>
    public byte[] CredentialId { get; } = RandomNumberGenerator.GetBytes(16);

    /// <summary>The user handle given at creation (the user's id), answered with each assertion.</summary>
    public byte[]? UserHandle { get; private set; }

    /// <summary>Answers creation options (JSON) with a new credential, as <c>JSON.stringify(credential)</c>.</summary>
    public string Create(JsonNode options)
    {
        ArgumentNullException.ThrowIfNull(options);
        UserHandle = WebEncoders.Base64UrlDecode(options["user"]!["id"]!.GetValue<string>());
        var rpId = options["rp"]?["id"]?.GetValue<string>() ?? "localhost";
        var clientData = ClientData("webauthn.create", options["challenge"]!.GetValue<string>());
        var parameters = _key.ExportParameters(includePrivateParameters: false);
        var coseKey = Concat(
            [0xA5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21, 0x58, 0x20], parameters.Q.X!,
            [0x22, 0x58, 0x20], parameters.Q.Y!);
        var authData = Concat(
            AuthenticatorData(rpId, attested: true),
            new byte[16],
            [(byte)(CredentialId.Length >> 8), (byte)CredentialId.Length], CredentialId,
            coseKey);
        var attestationObject = Concat(
            [0xA3, 0x63], "fmt"u8.ToArray(), [0x64], "none"u8.ToArray(),
            [0x67], "attStmt"u8.ToArray(), [0xA0],
            [0x68], "authData"u8.ToArray(), [0x58, (byte)authData.Length], authData);
        return new JsonObject
        {
            ["id"] = WebEncoders.Base64UrlEncode(CredentialId),
            ["rawId"] = WebEncoders.Base64UrlEncode(CredentialId),
            ["type"] = "public-key",
            ["authenticatorAttachment"] = "platform",
            ["clientExtensionResults"] = new JsonObject(),
            ["response"] = new JsonObject
            {
                ["clientDataJSON"] = WebEncoders.Base64UrlEncode(clientData),
                ["attestationObject"] = WebEncoders.Base64UrlEncode(attestationObject),
                ["transports"] = new JsonArray("internal"),
            },
        }.ToJsonString();
    }

    /// <summary>Answers request options (JSON) with an assertion of the credential, as <c>JSON.stringify(credential)</c>.</summary>
    public string Assert(JsonNode options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var rpId = options["rpId"]?.GetValue<string>() ?? "localhost";
        var clientData = ClientData("webauthn.get", options["challenge"]!.GetValue<string>());
        var authData = AuthenticatorData(rpId, attested: false);
        var signature = _key.SignData(Concat(authData, SHA256.HashData(clientData)), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        return new JsonObject
        {
            ["id"] = WebEncoders.Base64UrlEncode(CredentialId),
            ["rawId"] = WebEncoders.Base64UrlEncode(CredentialId),
            ["type"] = "public-key",
            ["authenticatorAttachment"] = "platform",
            ["clientExtensionResults"] = new JsonObject(),
            ["response"] = new JsonObject
            {
                ["clientDataJSON"] = WebEncoders.Base64UrlEncode(clientData),
                ["authenticatorData"] = WebEncoders.Base64UrlEncode(authData),
                ["signature"] = WebEncoders.Base64UrlEncode(signature),
                ["userHandle"] = UserHandle is null ? null : WebEncoders.Base64UrlEncode(UserHandle),
            },
        }.ToJsonString();
    }

    /// <inheritdoc />
    public void Dispose() => _key.Dispose();

    private byte[] ClientData(string type, string challenge) => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["type"] = type,
        ["challenge"] = challenge,
        ["origin"] = Origin,
        ["crossOrigin"] = false,
    }));

    private byte[] AuthenticatorData(string rpId, bool attested)
    {
        // Flags: user present (0x01), user verified (0x04), backup eligible (0x08), attested credential data (0x40).
        var flags = (byte)(0x01 | 0x04 | (BackupEligible ? 0x08 : 0) | (attested ? 0x40 : 0));
        var count = attested ? 0 : ++_signCount;
        return Concat(SHA256.HashData(Encoding.UTF8.GetBytes(rpId)), [flags], [(byte)(count >> 24), (byte)(count >> 16), (byte)(count >> 8), (byte)count]);
    }

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
}
