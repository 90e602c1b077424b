namespace IdentityServer.MultiSession.Storage;

/// <summary>
/// One row of the logout outbox: "tell client <see cref="ClientId"/> that session <see cref="SessionId"/> of user
/// <see cref="Subject"/> ended". Written in the transaction that ends the session; delivered by the background sender, which
/// claims a row with a lease (<see cref="LeaseOwner"/>, <see cref="LeaseExpiresAt"/>) so that several IdP instances on one
/// database never deliver it at the same time.
/// </summary>
internal sealed class LogoutNotificationEntity
{
    /// <summary>The notification id.</summary>
    public string Id { get; set; } = default!;

    /// <summary>The ended device session (the <c>sid</c>).</summary>
    public string SessionId { get; set; } = default!;

    /// <summary>The user id of the ended session (the <c>sub</c>).</summary>
    public string Subject { get; set; } = default!;

    /// <summary>The client to notify.</summary>
    public string ClientId { get; set; } = default!;

    /// <summary>The delivery state.</summary>
    public LogoutNotificationStatus Status { get; set; }

    /// <summary>How many delivery attempts were made.</summary>
    public int Attempts { get; set; }

    /// <summary>When the next attempt is due.</summary>
    public DateTimeOffset NextAttemptAt { get; set; }

    /// <summary>The claim of the sender instance delivering it now, or <c>null</c>.</summary>
    public string? LeaseOwner { get; set; }

    /// <summary>When the current claim lapses; another instance may claim the row afterwards.</summary>
    public DateTimeOffset? LeaseExpiresAt { get; set; }

    /// <summary>When the session ended.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When it was delivered or finally failed.</summary>
    public DateTimeOffset? CompletedAt { get; set; }

    /// <summary>Why the last attempt failed (a status code or an exception type; never a token).</summary>
    public string? LastError { get; set; }
}
