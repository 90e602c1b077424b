namespace IdentityServer.MultiSession.Storage;

/// <summary>
/// Reads and forgets the accounts signed out on a device that its picker still lists (<see cref="StoredRememberedAccount"/>).
/// Entries are written by <see cref="IDeviceSessionStore.RevokeAsync"/>
/// and removed when the account signs in again on the device or the device signs out of every account. Every operation names the
/// device by the hash of its secret, so that an entry id from another device names nothing.
/// </summary>
public interface IRememberedAccountStore
{
    /// <summary>The device's entries signed out after <paramref name="signedOutAfter"/>, most recent first.</summary>
    Task<IReadOnlyList<StoredRememberedAccount>> ListAsync(string secretHash, DateTimeOffset signedOutAfter, CancellationToken cancellationToken = default);

    /// <summary>Forgets the entry <paramref name="id"/> of this device; <c>false</c> when it names none.</summary>
    Task<bool> ForgetAsync(string secretHash, string id, CancellationToken cancellationToken = default);

    /// <summary>Removes up to <paramref name="batchSize"/> entries signed out at or before <paramref name="signedOutAtOrBefore"/>; returns how many.</summary>
    Task<int> RemoveExpiredAsync(DateTimeOffset signedOutAtOrBefore, int batchSize, CancellationToken cancellationToken = default);
}
