namespace IdentityServer.MultiSession.Storage;

/// <summary>The state of one logout notification in the outbox.</summary>
public enum LogoutNotificationStatus
{
    /// <summary>Waiting for its first or next delivery attempt.</summary>
    Pending = 0,

    /// <summary>The relying party acknowledged it (HTTP 200 or 204).</summary>
    Delivered = 1,

    /// <summary>Every allowed attempt failed; no further attempt is made.</summary>
    Failed = 2,
}
