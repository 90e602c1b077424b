namespace IdentityServer.MultiSession.Storage;

/// <summary>
/// One OIDC client that received tokens through a device session. The pair (<see cref="SessionId"/>, <see cref="ClientId"/>)
/// is the primary key, so that recording a client is an insert-if-absent that concurrent requests cannot lose.
/// The rows go with their session (a cascading foreign key).
/// </summary>
internal sealed class DeviceSessionClientEntity
{
    /// <summary>The device session (its <c>sid</c>).</summary>
    public string SessionId { get; set; } = default!;

    /// <summary>The client id.</summary>
    public string ClientId { get; set; } = default!;

    /// <summary>The session.</summary>
    public DeviceSessionEntity? Session { get; set; }
}
