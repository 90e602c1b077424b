namespace IdentityServer.MultiSession;

/// <summary>
/// Delivery of back-channel logout notifications (section <c>MultiSession:BackChannelLogout</c>): how often the sender looks
/// for due notifications, how long one attempt may take, how many attempts a notification gets and how they are spaced.
/// </summary>
public sealed class BackChannelLogoutOptions
{
    /// <summary>Whether this instance runs the background sender. Default <c>true</c>; the outbox is written either way.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often the sender looks for due notifications. Default 2 seconds.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long one delivery attempt (one HTTP POST) may take. Default 10 seconds.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Attempts before a notification is marked failed for good. Default 10.</summary>
    public int MaxAttempts { get; set; } = 10;

    /// <summary>The wait after the first failed attempt; each further failure doubles it. Default 10 seconds.</summary>
    public TimeSpan BackoffBase { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest wait between two attempts. Default 1 hour.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long a sender instance holds the notifications it claimed; after that another instance may claim them (the holder
    /// crashed). Must exceed <see cref="Timeout"/>. Default 1 minute.
    /// </summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How many notifications one run claims at most. Default 100.</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>How many notifications are posted at the same time. Default 8.</summary>
    public int MaxParallelDeliveries { get; set; } = 8;

    /// <summary>The lifetime of a logout token (its <c>exp</c> minus its <c>iat</c>). Default 2 minutes.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long delivered notifications are kept before the cleanup removes them. Default 1 day. Failed ones are kept.</summary>
    public TimeSpan DeliveredRetention { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// The issuer (<c>iss</c>) of logout tokens when the OIDC server has none configured; without either, the issuer the server
    /// last used for a request on this instance is taken (so an instance issues logout tokens once it has served one request).
    /// </summary>
    public Uri? Issuer { get; set; }
}
