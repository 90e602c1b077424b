namespace IdpHost.Login;

/// <summary>
/// The rate limit on login form posts, per client address, bound from the <c>LoginRateLimit</c> configuration section
/// (read at start-up). Default: 20 posts a minute from one address.
/// </summary>
public sealed class LoginRateLimitOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "LoginRateLimit";

    /// <summary>The name of the rate-limiting policy on the login page.</summary>
    public const string PolicyName = "login";

    /// <summary>Login posts one client address may send per <see cref="Window"/>. Default 20.</summary>
    public int PermitLimit { get; set; } = 20;

    /// <summary>The window. Default 1 minute.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}
