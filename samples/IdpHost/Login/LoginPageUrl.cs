using IdentityServer.MultiSession;
using IdentityServer.MultiSession.Sessions;
using Microsoft.AspNetCore.WebUtilities;

namespace IdpHost.Login;

/// <summary>
/// The sample's one builder of links to its login page (<c>/Account/Login</c>): the return URL, always passed through the
/// library's <see cref="ReturnUrlValidator"/> (anything not local to the IdP becomes the home page), and the account's
/// <c>login_hint</c> when one is named. The library's own links to the login page are built from
/// <see cref="MultiSessionOptions.LoginPath"/> in the same way.
/// </summary>
public static class LoginPageUrl
{
    /// <summary>The login page's path.</summary>
    public const string Path = "/Account/Login";

    /// <summary>The name of the return URL parameter the login page binds.</summary>
    public const string ReturnUrlParameter = "ReturnUrl";

    /// <summary>The login page returning to <paramref name="returnUrl"/> (validated here), with <paramref name="loginHint"/> when not blank.</summary>
    public static string For(ReturnUrlValidator returnUrls, string? returnUrl, string? loginHint = null)
    {
        ArgumentNullException.ThrowIfNull(returnUrls);
        var parameters = new Dictionary<string, string?> { [ReturnUrlParameter] = returnUrls.Sanitize(returnUrl) };
        if (!string.IsNullOrWhiteSpace(loginHint))
        {
            parameters[MultiSessionDefaults.LoginHintParameter] = loginHint;
        }

        return QueryHelpers.AddQueryString(Path, parameters);
    }
}
