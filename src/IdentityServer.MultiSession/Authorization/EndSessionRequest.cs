namespace IdentityServer.MultiSession.Authorization;

/// <summary>The parts of an end-session request that decide what is ended, independent of the OIDC engine.</summary>
public sealed class EndSessionRequest
{
    /// <summary><c>true</c> when the request carried a valid <c>id_token_hint</c>.</summary>
    public bool HasIdTokenHint { get; init; }

    /// <summary>The hint's <c>sid</c>.</summary>
    public string? HintSessionId { get; init; }

    /// <summary>The hint's <c>sub</c>.</summary>
    public string? HintSubject { get; init; }

    /// <summary>The client that asked for the logout (its <c>client_id</c>, or the audience of its <c>id_token_hint</c>), when known.</summary>
    public string? ClientId { get; init; }
}
