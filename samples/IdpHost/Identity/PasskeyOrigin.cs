using Microsoft.AspNetCore.Identity;

namespace IdpHost.Identity;

/// <summary>
/// Which origin a passkey's answer may come from, and which host name the passkeys are bound to (the relying-party id).
/// Outside Development both come from the configured <see cref="Setting"/> (for example <c>https://id.example.com</c>): the
/// host refuses to start without it, since the request's <c>Host</c> header, which anyone can set, must not decide them. In
/// Development, without the setting, they follow the request (scheme and host after the forwarded headers), so that
/// <c>localhost</c> and any test port work. A cross-origin frame's answer is refused either way. Identity's default compares
/// the answer's origin with the request's <c>Origin</c> header, which the browser sends as <c>null</c> here: the pages'
/// <c>Referrer-Policy: no-referrer</c> hides the origin of their form posts.
/// </summary>
public static class PasskeyOrigin
{
    /// <summary>The configuration key of the IdP's public origin for passkeys.</summary>
    public const string Setting = "Passkeys:Origin";

    /// <summary>
    /// Sets <see cref="IdentityPasskeyOptions.ServerDomain"/> and <see cref="IdentityPasskeyOptions.ValidateOrigin"/> from
    /// <see cref="Setting"/>; throws, naming the setting, when it is missing outside Development or is not an origin.
    /// </summary>
    public static IServiceCollection AddPasskeyOrigin(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);
        var expected = Read(configuration[Setting], environment.IsDevelopment());
        return services.Configure<IdentityPasskeyOptions>(options =>
        {
            if (expected is not null)
            {
                options.ServerDomain = expected.Host;
            }

            options.ValidateOrigin = context => IsThisIdpAsync(context, expected);
        });
    }

    /// <summary>The configured origin, or <c>null</c> in Development without one.</summary>
    internal static Uri? Read(string? configured, bool development)
    {
        if (string.IsNullOrWhiteSpace(configured))
        {
            return development
                ? null
                : throw new InvalidOperationException(
                    $"{Setting} is required outside Development: the IdP's public origin (for example https://id.example.com), " +
                    "which passkeys are bound to and their answers are checked against; it is not taken from the request's Host header.");
        }

        if (!Uri.TryCreate(configured.Trim(), UriKind.Absolute, out var origin)
            || origin.Scheme is not ("https" or "http")
            || origin.AbsolutePath != "/" || origin.Query.Length > 0 || origin.Fragment.Length > 0 || origin.UserInfo.Length > 0)
        {
            throw new InvalidOperationException($"{Setting} must be an origin, a scheme and a host name with no path (for example https://id.example.com); was '{configured}'.");
        }

        if (!development && origin.Scheme != "https")
        {
            throw new InvalidOperationException($"{Setting} must be an https origin outside Development (was '{configured}').");
        }

        return origin;
    }

    /// <summary>
    /// <c>true</c> when <paramref name="context"/>'s origin is <paramref name="expected"/> (or, without one, the request's own
    /// scheme and host), and not a cross-origin frame's.
    /// </summary>
    public static ValueTask<bool> IsThisIdpAsync(PasskeyOriginValidationContext context, Uri? expected)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.HttpContext.Request;
        var origin = expected?.GetLeftPart(UriPartial.Authority) ?? $"{request.Scheme}://{request.Host.Value}";
        return ValueTask.FromResult(!context.CrossOrigin && string.Equals(context.Origin, origin, StringComparison.OrdinalIgnoreCase));
    }
}
