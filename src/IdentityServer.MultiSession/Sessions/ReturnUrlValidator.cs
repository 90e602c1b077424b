using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace IdentityServer.MultiSession.Sessions;

/// <summary>
/// Validates return URLs (SPEC §5): only local URLs of the IdP are followed; anything else falls back to the home page.
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

    /// <summary>Returns <paramref name="url"/> when it is local, else the configured home page.</summary>
    public string Sanitize(string? url) => IsLocal(url) ? url! : _options.CurrentValue.HomePath.Value ?? "/";

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
