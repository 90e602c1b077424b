using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace IdentityServer.MultiSession.Sessions;

/// <summary>
/// Validates return URLs (BEHAVIOUR.md §5): only local URLs of the IdP are followed; anything else falls back to the home page.
/// </summary>
public sealed class ReturnUrlValidator
{
    private readonly IOptionsMonitor<MultiSessionOptions> _options;

    /// <summary>Creates the validator.</summary>
    public ReturnUrlValidator(IOptionsMonitor<MultiSessionOptions> options) => _options = options;

    /// <summary>
    /// <c>true</c> when <paramref name="url"/> is a local path of the IdP: it starts with one <c>/</c>, is not
    /// protocol-relative (<c>//</c>, <c>/\</c>), holds no backslash, control character or whitespace, and stays local once decoded.
    /// </summary>
    public static bool IsLocal(string? url)
    {
        if (string.IsNullOrEmpty(url) || url.Length > 8192 || url[0] != '/')
        {
            return false;
        }

        if (url.Length > 1 && (url[1] == '/' || url[1] == '\\'))
        {
            return false;
        }

        foreach (var c in url)
        {
            // Browsers drop tabs and new lines and read '\' as '/', so "/\tevil" or "/\evil" would leave the IdP.
            if (c < 0x21 || c == 0x7F || c == '\\')
            {
                return false;
            }
        }

        // An encoded variant must stay local once decoded, too ("/%2F%2Fevil.example", "/%5Cevil.example").
        var path = url.Split('?', '#')[0];
        string decoded;
        try
        {
            decoded = Uri.UnescapeDataString(path);
        }
        catch (UriFormatException)
        {
            return false;
        }

        return decoded == path || (decoded.Length > 0 && decoded[0] == '/' && (decoded.Length == 1 || (decoded[1] != '/' && decoded[1] != '\\')) && !decoded.Contains('\\'));
    }

    /// <summary>
    /// Returns <paramref name="url"/>, normalised (see <see cref="Normalize"/>), when it is local; else the configured home page.
    /// The result is always plain ASCII, so it can be written into a <c>Location</c> header.
    /// </summary>
    public string Sanitize(string? url)
    {
        var normalized = Normalize(url);
        return IsLocal(normalized) ? normalized! : _options.CurrentValue.HomePath.Value ?? "/";
    }

    /// <summary>
    /// Percent-encodes (as UTF-8) every character of <paramref name="url"/> outside printable ASCII, so that <c>/é</c> becomes
    /// <c>/%C3%A9</c>, the form a browser sends. Returns <c>null</c> for text that is not valid UTF-16 (a lone surrogate) or is
    /// too long; returns <paramref name="url"/> itself when there is nothing to encode.
    /// </summary>
    public static string? Normalize(string? url)
    {
        if (url is null || url.Length > 8192)
        {
            return null;
        }

        var index = 0;
        while (index < url.Length && url[index] <= 0x7F)
        {
            index++;
        }

        if (index == url.Length)
        {
            return url;
        }

        var text = new System.Text.StringBuilder(url.Length + 16);
        text.Append(url, 0, index);
        Span<byte> bytes = stackalloc byte[4];
        while (index < url.Length)
        {
            var c = url[index];
            if (c <= 0x7F)
            {
                text.Append(c);
                index++;
                continue;
            }

            if (System.Text.Rune.DecodeFromUtf16(url.AsSpan(index), out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return null;
            }

            var written = rune.EncodeToUtf8(bytes);
            foreach (var b in bytes[..written])
            {
                text.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }

            index += consumed;
        }

        return text.Length > 8192 ? null : text.ToString();
    }

    /// <summary><c>true</c> when the local <paramref name="url"/> names the authorization endpoint (an OIDC request in progress).</summary>
    public bool IsAuthorizationRequest(string? url)
    {
        if (!IsLocal(url))
        {
            return false;
        }

        var path = new PathString(url!.Split('?', '#')[0]);
        return _options.CurrentValue.AuthorizationEndpointPaths.Any(p => p.Equals(path, StringComparison.OrdinalIgnoreCase));
    }
}
