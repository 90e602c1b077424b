namespace IdentityServer.MultiSession.Storage;

/// <summary>
/// Maps the EF Core entities to the core's storage records and back. The entities never leave this package: the store
/// interfaces speak the records.
/// </summary>
internal static class StorageRecordMapping
{
    public static StoredDevice ToRecord(this DeviceEntity entity) => new()
    {
        Id = entity.Id,
        ActiveSessionId = entity.ActiveSessionId,
    };

    public static StoredDeviceSession ToRecord(this DeviceSessionEntity entity) => new()
    {
        Id = entity.Id,
        DeviceId = entity.DeviceId,
        Handle = entity.Handle,
        UserId = entity.UserId,
        UserName = entity.UserName,
        DisplayName = entity.DisplayName,
        Email = entity.Email,
        AuthenticatedAt = entity.AuthenticatedAt,
        CreatedAt = entity.CreatedAt,
        LastSeenAt = entity.LastSeenAt,
        ExpiresAt = entity.ExpiresAt,
        AbsoluteExpiresAt = entity.AbsoluteExpiresAt,
        LastValidatedAt = entity.LastValidatedAt,
        SecurityStampHash = entity.SecurityStampHash,
        AuthenticationMethods = entity.AuthenticationMethods,
        Browser = entity.Browser,
        OperatingSystem = entity.OperatingSystem,
        IpAddress = entity.IpAddress,
        Ticket = entity.Ticket,
    };

    /// <summary>A new row of <paramref name="session"/> on device <paramref name="deviceId"/> in slot <paramref name="slot"/>.</summary>
    public static DeviceSessionEntity ToEntity(this StoredDeviceSession session, string deviceId, int slot) => new()
    {
        Id = session.Id,
        DeviceId = deviceId,
        Slot = slot,
        Handle = session.Handle,
        UserId = session.UserId,
        UserName = session.UserName,
        DisplayName = session.DisplayName,
        Email = session.Email,
        AuthenticatedAt = session.AuthenticatedAt,
        CreatedAt = session.CreatedAt,
        LastSeenAt = session.LastSeenAt,
        ExpiresAt = session.ExpiresAt,
        AbsoluteExpiresAt = session.AbsoluteExpiresAt,
        LastValidatedAt = session.LastValidatedAt,
        SecurityStampHash = session.SecurityStampHash,
        AuthenticationMethods = session.AuthenticationMethods,
        Browser = session.Browser,
        OperatingSystem = session.OperatingSystem,
        IpAddress = session.IpAddress,
        Ticket = session.Ticket,
    };

    public static StoredRememberedAccount ToRecord(this RememberedAccountEntity entity) => new()
    {
        Id = entity.Id,
        DisplayName = entity.DisplayName,
        LoginName = entity.LoginName,
        SignedOutAt = entity.SignedOutAt,
    };

    public static StoredLogoutNotification ToRecord(this LogoutNotificationEntity entity) => new()
    {
        Id = entity.Id,
        SessionId = entity.SessionId,
        Subject = entity.Subject,
        ClientId = entity.ClientId,
        Attempts = entity.Attempts,
    };
}
