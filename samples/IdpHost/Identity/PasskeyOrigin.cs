using Microsoft.AspNetCore.Identity;

namespace IdpHost.Identity;

/// <summary>
/// Which origins a passkey's answer may come from: this IdP's own (scheme and host of the request, after the forwarded
/// headers), never from a frame of another site. Identity's default compares the answer's origin with the request's
/// <c>Origin</c> header, which the browser sends as <c>null</c> here: the pages' <c>Referrer-Policy: no-referrer</c> hides the
/// origin of their form posts. The answer itself is bound to this IdP's host name as well (the relying party id), which
/// <c>IdentityPasskeyOptions.ServerDomain</c> fixes in production.
/// </summary>
public static class PasskeyOrigin
{
    /// <summary><c>true</c> when <paramref name="context"/>'s origin is this IdP's, and not a cross-origin frame's.</summary>
    public static ValueTask<bool> IsThisIdpAsync(PasskeyOriginValidationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.HttpContext.Request;
        var expected = $"{request.Scheme}://{request.Host.Value}";
        return ValueTask.FromResult(!context.CrossOrigin && string.Equals(context.Origin, expected, StringComparison.OrdinalIgnoreCase));
    }
}
