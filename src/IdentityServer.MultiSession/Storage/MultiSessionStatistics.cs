namespace IdentityServer.MultiSession.Storage;

/// <summary>Live figures of the session store, for administrators.</summary>
/// <param name="Sessions">Unexpired device sessions stored.</param>
/// <param name="Devices">Devices (browsers) with at least one unexpired session.</param>
/// <param name="DevicesAtLimit">Devices holding the configured maximum of accounts, or more (after the limit was lowered).</param>
/// <param name="PendingLogoutNotifications">Back-channel logout notifications waiting to be delivered.</param>
/// <param name="FailedLogoutNotifications">Back-channel logout notifications that failed for good.</param>
public sealed record MultiSessionStatistics(int Sessions, int Devices, int DevicesAtLimit, int PendingLogoutNotifications, int FailedLogoutNotifications);
