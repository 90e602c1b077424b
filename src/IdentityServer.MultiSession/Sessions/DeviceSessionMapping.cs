using IdentityServer.MultiSession.Storage;

namespace IdentityServer.MultiSession.Sessions;

/// <summary>Maps the store's records to <see cref="DeviceSession"/> and <see cref="EndedSession"/>.</summary>
internal static class DeviceSessionMapping
{
    public static DeviceSession ToDeviceSession(this StoredDeviceSession entity, string? activeSessionId) => new()
    {
        SessionId = entity.Id,
        SessionToken = entity.Handle,
        UserId = entity.UserId,
        UserName = entity.UserName,
        DisplayName = string.IsNullOrWhiteSpace(entity.DisplayName) ? entity.UserName ?? entity.Email ?? entity.UserId : entity.DisplayName,
        Email = entity.Email,
        IsActive = entity.Id == activeSessionId,
        AuthenticatedAt = entity.AuthenticatedAt,
        CreatedAt = entity.CreatedAt,
        LastSeenAt = entity.LastSeenAt,
        ExpiresAt = entity.ExpiresAt,
        AuthenticationMethods = (entity.AuthenticationMethods ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries),
        Browser = entity.Browser,
        OperatingSystem = entity.OperatingSystem,
        IpAddress = entity.IpAddress,
    };

    /// <summary>The record of <paramref name="entity"/> once it has ended (for token revocation and the revocation events).</summary>
    public static EndedSession ToEndedSession(this StoredDeviceSession entity) => new(entity.Id, entity.UserId) { DeviceId = entity.DeviceId };
}
