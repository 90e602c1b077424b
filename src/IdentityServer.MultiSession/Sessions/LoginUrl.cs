using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace IdentityServer.MultiSession.Sessions;

/// <summary>
/// The one place that builds a link to the host's login page (<see cref="MultiSessionOptions.LoginPath"/>): the return URL
/// under <see cref="MultiSessionOptions.ReturnUrlParameter"/> and, when an account is named, its <c>login_hint</c>.
/// </summary>
internal static class LoginUrl
{
    /// <summary>
    /// The login page under <paramref name="pathBase"/>, returning to <paramref name="returnUrl"/> (which the caller has
    /// validated or built itself), with <paramref name="loginHint"/> filled in when it is not blank.
    /// </summary>
    public static string Build(MultiSessionOptions options, PathString pathBase, string returnUrl, string? loginHint = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var parameters = new Dictionary<string, string?> { [options.ReturnUrlParameter!] = returnUrl };
        if (!string.IsNullOrWhiteSpace(loginHint))
        {
            parameters[MultiSessionDefaults.LoginHintParameter] = loginHint;
        }

        return QueryHelpers.AddQueryString(pathBase.Add(options.LoginPath!.Value), parameters);
    }

    /// <summary>The login hint that names <paramref name="account"/>: its email, else its user name.</summary>
    public static string? HintFor(DeviceSession? account) => account?.Email ?? account?.UserName;
}
