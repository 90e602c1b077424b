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
}
