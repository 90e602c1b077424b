namespace IdentityServer.MultiSession.Storage;

/// <summary>
/// One claimed row of the logout outbox, as the background sender needs it: "tell client <see cref="ClientId"/> that session
/// <see cref="SessionId"/> of user <see cref="Subject"/> ended", and how many attempts were made so far.
/// </summary>
public sealed record StoredLogoutNotification
{
    /// <summary>The notification id.</summary>
    public required string Id { get; init; }

    /// <summary>The ended device session (the <c>sid</c>).</summary>
    public required string SessionId { get; init; }

    /// <summary>The user id of the ended session (the <c>sub</c>).</summary>
    public required string Subject { get; init; }

    /// <summary>The client to notify.</summary>
    public required string ClientId { get; init; }

    /// <summary>How many delivery attempts were made before this claim.</summary>
    public int Attempts { get; init; }
}
