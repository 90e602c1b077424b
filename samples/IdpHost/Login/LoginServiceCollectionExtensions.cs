using IdentityServer.MultiSession.Http;
using Microsoft.Extensions.Localization;
using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace IdpHost.Login;

/// <summary>Registers the sample's login services: <see cref="PasswordLogin"/>, the escalating lockout and the login rate limit.</summary>
public static class LoginServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="PasswordLogin"/> with <see cref="LockoutEscalationOptions"/>, and the rate limiter policy
    /// <see cref="LoginRateLimitOptions.PolicyName"/>: login form posts per client address, answered with 429, a
    /// <c>Retry-After</c> header and a readable page beyond the limit. The host calls <c>UseRateLimiter()</c>.
    /// </summary>
    public static IServiceCollection AddPasswordLogin(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<LockoutEscalationOptions>()
            .Bind(configuration.GetSection(LockoutEscalationOptions.Section))
            .Validate(o => o.MaxFailedAttempts >= 1 && o.FirstLockout > TimeSpan.Zero && o.MaximumLockout >= o.FirstLockout && o.ResetAfter >= TimeSpan.Zero,
                "Lockout: MaxFailedAttempts must be at least 1, FirstLockout positive, MaximumLockout at least FirstLockout, ResetAfter not negative.")
            .ValidateOnStart();
        services.AddScoped<PasswordLogin>();

        // Identity's own lockout settings follow, so that nothing else that counts failures locks sooner or for another time.
        services.AddOptions<IdentityOptions>().Configure<IOptions<LockoutEscalationOptions>>((identity, lockout) =>
        {
            identity.Lockout.MaxFailedAccessAttempts = lockout.Value.MaxFailedAttempts;
            identity.Lockout.DefaultLockoutTimeSpan = lockout.Value.FirstLockout;
        });

        var limit = configuration.GetSection(LoginRateLimitOptions.Section).Get<LoginRateLimitOptions>() ?? new LoginRateLimitOptions();
        if (limit.PermitLimit < 1 || limit.Window <= TimeSpan.Zero)
        {
            throw new InvalidOperationException(
                $"{LoginRateLimitOptions.Section}:PermitLimit must be at least 1 and {LoginRateLimitOptions.Section}:Window positive (were {limit.PermitLimit} and {limit.Window}).");
        }

        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.AddPolicy(LoginRateLimitOptions.PolicyName, context => HttpMethods.IsPost(context.Request.Method)
                ? RateLimitPartition.GetFixedWindowLimiter(
                    context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = limit.PermitLimit, Window = limit.Window, QueueLimit = 0 })
                : RateLimitPartition.GetNoLimiter("get"));
            options.OnRejected = WriteRejectionAsync;
        });
        return services;
    }

    private static async ValueTask WriteRejectionAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var response = rejected.HttpContext.Response;
        var seconds = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
            ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
            : 60;
        response.StatusCode = StatusCodes.Status429TooManyRequests;
        response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        response.PreventCaching();
        response.ContentType = "text/html; charset=utf-8";
        // The texts come from the sample's resources, in the request's language (the page model's messages are keyed by their
        // English text); the look is the library's stylesheet.
        var texts = rejected.HttpContext.RequestServices.GetRequiredService<IStringLocalizer<SampleText>>();
        var title = WebUtility.HtmlEncode(texts[LoginTexts.RateLimitedTitle].Value);
        var text = WebUtility.HtmlEncode(texts[LoginTexts.RateLimitedText, seconds].Value);
        var back = WebUtility.HtmlEncode(texts[LoginTexts.RateLimitedBack].Value);
        var language = WebUtility.HtmlEncode(CultureInfo.CurrentUICulture.TwoLetterISOLanguageName);
        var pathBase = rejected.HttpContext.Request.PathBase;
        var login = WebUtility.HtmlEncode(pathBase + rejected.HttpContext.Request.Path);
        var stylesheet = WebUtility.HtmlEncode(pathBase + "/_content/IdentityServer.MultiSession/multisession.css");
        await response.WriteAsync(
            $"<!DOCTYPE html><html lang=\"{language}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title><link rel=\"stylesheet\" href=\"{stylesheet}\"></head>"
            + $"<body><main class=\"ms-shell\"><div class=\"ms-card\"><h1>{title}</h1><p role=\"alert\">{text}</p><p><a class=\"ms-link\" href=\"{login}\">{back}</a></p></div></main></body></html>",
            cancellationToken);
    }
}
