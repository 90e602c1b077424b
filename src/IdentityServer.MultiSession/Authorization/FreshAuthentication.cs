using System.Globalization;
using IdentityServer.MultiSession.Sessions;
using Microsoft.AspNetCore.WebUtilities;

namespace IdentityServer.MultiSession.Authorization;

/// <summary>
/// Whether an authorization request demands that an account authenticates again before it is used: <c>prompt=login</c>,
/// <c>max_age=0</c>, or a <c>max_age</c> that the account's last authentication does not meet. Such a request never takes an
/// account from the picker as it is: the account goes to the login form (with its <c>login_hint</c>) instead.
/// </summary>
internal static class FreshAuthentication
{
    private const string PromptParameter = "prompt";
    private const string MaxAgeParameter = "max_age";
    private const string PromptLogin = "login";

    /// <summary><c>true</c> when <paramref name="prompt"/> or <paramref name="maxAge"/> ask for a new authentication whatever the account.</summary>
    public static bool IsAlwaysRequired(IReadOnlySet<string> prompt, long? maxAge)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        return prompt.Contains(PromptLogin) || maxAge == 0;
    }

    /// <summary>
    /// <c>true</c> when <paramref name="session"/> may not be used for the request without authenticating again:
    /// <see cref="IsAlwaysRequired"/>, or its authentication is older than <paramref name="maxAge"/> seconds.
    /// </summary>
    public static bool IsRequired(IReadOnlySet<string> prompt, long? maxAge, DeviceSession session, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(session);
        return IsAlwaysRequired(prompt, maxAge)
            || (maxAge is { } seconds && now - session.AuthenticatedAt > TimeSpan.FromSeconds(seconds));
    }

    /// <summary>
    /// Reads the <c>prompt</c> values and <c>max_age</c> of the authorization request carried by the local URL
    /// <paramref name="authorizationUrl"/>. An unreadable <c>max_age</c> reads as <c>0</c>: when in doubt, authenticate.
    /// </summary>
    public static (IReadOnlySet<string> Prompt, long? MaxAge) Read(string authorizationUrl)
    {
        ArgumentNullException.ThrowIfNull(authorizationUrl);
        var prompt = new HashSet<string>(StringComparer.Ordinal);
        var index = authorizationUrl.IndexOf('?', StringComparison.Ordinal);
        if (index < 0)
        {
            return (prompt, null);
        }

        var query = QueryHelpers.ParseQuery(authorizationUrl[index..]);
        foreach (var value in query.GetValueOrDefault(PromptParameter))
        {
            foreach (var item in (value ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                prompt.Add(item);
            }
        }

        long? maxAge = null;
        if (query.TryGetValue(MaxAgeParameter, out var maxAgeValues))
        {
            maxAge = maxAgeValues.Count == 1 && long.TryParse(maxAgeValues[0], NumberStyles.None, CultureInfo.InvariantCulture, out var parsed)
                ? parsed
                : 0;
        }

        return (prompt, maxAge);
    }
}
