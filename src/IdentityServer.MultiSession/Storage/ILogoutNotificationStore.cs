namespace IdentityServer.MultiSession.Storage;

/// <summary>
/// The logout outbox, seen by the background sender. Rows are written by <see cref="IDeviceSessionStore"/> in the transaction that
/// ends their session; the sender claims due rows with a lease, so that several IdP instances on one database never deliver the
/// same notification at the same time, and records each outcome only while it still holds the lease.
/// </summary>
public interface ILogoutNotificationStore
{
    /// <summary>
    /// Claims up to <paramref name="batchSize"/> pending notifications that are due and not held by a live lease, for
    /// <paramref name="leaseDuration"/>, under the unique <paramref name="claim"/>; returns the rows this call claimed.
    /// </summary>
    Task<IReadOnlyList<StoredLogoutNotification>> ClaimAsync(string claim, DateTimeOffset now, TimeSpan leaseDuration, int batchSize, CancellationToken cancellationToken = default);

    /// <summary>Marks a claimed notification delivered (or failed for good) after <paramref name="attempts"/> attempts, and releases it.</summary>
    Task<bool> CompleteAsync(string id, string claim, LogoutNotificationStatus status, int attempts, string? error, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Records a failed attempt of a claimed notification, due again at <paramref name="nextAttemptAt"/>, and releases it.</summary>
    Task<bool> RetryLaterAsync(string id, string claim, int attempts, string error, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken = default);

    /// <summary>Releases a claimed notification without counting an attempt (it could not be tried now).</summary>
    Task<bool> ReleaseAsync(string id, string claim, CancellationToken cancellationToken = default);

    /// <summary>Removes a claimed notification that has nothing to deliver (its client registered no back-channel logout URI).</summary>
    Task<bool> RemoveAsync(string id, string claim, CancellationToken cancellationToken = default);

    /// <summary>Removes up to <paramref name="batchSize"/> notifications delivered before <paramref name="before"/>; returns how many.</summary>
    Task<int> RemoveDeliveredAsync(DateTimeOffset before, int batchSize, CancellationToken cancellationToken = default);

    /// <summary>When the oldest notification still pending (not delivered, not failed for good) was queued; <c>null</c> when none is.</summary>
    Task<DateTimeOffset?> FindOldestPendingAsync(CancellationToken cancellationToken = default);
}
