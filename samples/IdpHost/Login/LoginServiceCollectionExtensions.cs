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
        response.Headers.CacheControl = "no-store";
        response.ContentType = "text/html; charset=utf-8";
        var title = WebUtility.HtmlEncode(LoginTexts.RateLimitedTitle);
        var text = WebUtility.HtmlEncode(string.Format(CultureInfo.InvariantCulture, LoginTexts.RateLimitedText, seconds));
        var back = WebUtility.HtmlEncode(LoginTexts.RateLimitedBack);
        var login = WebUtility.HtmlEncode(rejected.HttpContext.Request.PathBase + rejected.HttpContext.Request.Path);
        await response.WriteAsync(
            $"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title></head>"
            + $"<body><main><h1>{title}</h1><p role=\"alert\">{text}</p><p><a href=\"{login}\">{back}</a></p></main></body></html>",
            cancellationToken);
    }
}
