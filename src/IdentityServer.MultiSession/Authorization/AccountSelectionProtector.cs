using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace IdentityServer.MultiSession.Authorization;

/// <summary>
/// Writes and reads the <see cref="MultiSessionDefaults.SelectionParameter"/> parameter: an <see cref="AccountSelection"/>,
/// protected with ASP.NET Core data protection, bound to the other parameters of its authorization request and time-limited.
/// </summary>
internal sealed class AccountSelectionProtector
{
    private readonly IDataProtector _protector;
    private readonly TimeProvider _time;
    private readonly IOptionsMonitor<MultiSessionOptions> _options;

    /// <summary>Creates the protector.</summary>
    public AccountSelectionProtector(IDataProtectionProvider provider, TimeProvider time, IOptionsMonitor<MultiSessionOptions> options)
    {
        _protector = provider.CreateProtector("IdentityServer.MultiSession.AccountSelection.v1");
        _time = time;
        _options = options;
    }

    /// <summary>Returns <paramref name="returnUrl"/> (a local URL) with the selection added and any earlier one removed.</summary>
    public string Append(string returnUrl, AccountSelectionKind kind, string? sessionId)
    {
        var (path, query) = Split(returnUrl);
        query.Remove(MultiSessionDefaults.SelectionParameter);
        var issuedAt = _time.GetUtcNow();
        var payload = string.Join('|',
            ((int)kind).ToString(CultureInfo.InvariantCulture),
            sessionId ?? string.Empty,
            issuedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
            Fingerprint(path, query));
        query[MultiSessionDefaults.SelectionParameter] = _protector.Protect(payload);
        return Join(path, query);
    }

    /// <summary>Returns <paramref name="returnUrl"/> without any selection parameter.</summary>
    public static string Remove(string returnUrl)
    {
        var (path, query) = Split(returnUrl);
        if (!query.Remove(MultiSessionDefaults.SelectionParameter))
        {
            return returnUrl;
        }

        return Join(path, query);
    }

    /// <summary>Reads a valid, unexpired selection bound to this request's path and query; <c>null</c> otherwise.</summary>
    public AccountSelection? Read(HttpRequest request)
    {
        var values = request.Query[MultiSessionDefaults.SelectionParameter];
        if (values.Count != 1 || string.IsNullOrEmpty(values[0]) || values[0]!.Length > 4096)
        {
            return null;
        }

        string payload;
        try
        {
            payload = _protector.Unprotect(values[0]!);
        }
        catch (CryptographicException)
        {
            return null;
        }

        var parts = payload.Split('|');
        if (parts.Length != 4
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var kind)
            || !Enum.IsDefined((AccountSelectionKind)kind)
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var issuedMs))
        {
            return null;
        }

        var issuedAt = DateTimeOffset.FromUnixTimeMilliseconds(issuedMs);
        var now = _time.GetUtcNow();
        if (now - issuedAt > _options.CurrentValue.SelectionLifetime || issuedAt - now > TimeSpan.FromMinutes(5))
        {
            return null;
        }

        var query = request.Query.Where(p => p.Key != MultiSessionDefaults.SelectionParameter)
            .ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        if (!CryptographicOperations.FixedTimeEquals(
                Encoding.ASCII.GetBytes(parts[3]),
                Encoding.ASCII.GetBytes(Fingerprint(request.PathBase + request.Path, query))))
        {
            return null;
        }

        return new AccountSelection((AccountSelectionKind)kind, parts[1].Length == 0 ? null : parts[1], issuedAt);
    }

    private static string Join(string path, Dictionary<string, StringValues> query) =>
        path + new QueryBuilder(query.SelectMany(p => p.Value.Select(v => KeyValuePair.Create(p.Key, v ?? string.Empty)))).ToQueryString().Value;

    private static (string Path, Dictionary<string, StringValues> Query) Split(string url)
    {
        var index = url.IndexOf('?', StringComparison.Ordinal);
        var path = index < 0 ? url : url[..index];
        var query = index < 0 ? [] : QueryHelpers.ParseQuery(url[index..]);
        return (path, new Dictionary<string, StringValues>(query, StringComparer.Ordinal));
    }

    private static string Fingerprint(string path, IReadOnlyDictionary<string, StringValues> query)
    {
        var text = new StringBuilder(path.ToUpperInvariant());
        foreach (var pair in query.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            foreach (var value in pair.Value)
            {
                text.Append('\n').Append(pair.Key).Append('=').Append(value);
            }
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()));
        return Convert.ToBase64String(hash, 0, 16);
    }
}
