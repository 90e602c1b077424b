using IdentityServer.MultiSession.Sessions;

namespace IdentityServer.MultiSession.Authorization;

/// <summary>The decision for one authorization request: use an account, show the picker or the login page, or return an error.</summary>
public sealed record AuthorizationAccountDecision
{
    /// <summary>What to do.</summary>
    public required AuthorizationAccountDecisionKind Kind { get; init; }

    /// <summary>The account to use, for <see cref="AuthorizationAccountDecisionKind.UseAccount"/>.</summary>
    public DeviceSession? Session { get; init; }

    /// <summary>The local URL of the picker or the login page.</summary>
    public string? RedirectUri { get; init; }

    /// <summary>The OIDC error code (<c>login_required</c>, <c>account_selection_required</c>).</summary>
    public string? Error { get; init; }

    /// <summary>A human-readable description of the error.</summary>
    public string? ErrorDescription { get; init; }

    /// <summary>A decision to use <paramref name="session"/>.</summary>
    public static AuthorizationAccountDecision Use(DeviceSession session) => new() { Kind = AuthorizationAccountDecisionKind.UseAccount, Session = session };

    /// <summary>An OIDC error decision.</summary>
    public static AuthorizationAccountDecision Fail(string error, string description) =>
        new() { Kind = AuthorizationAccountDecisionKind.Error, Error = error, ErrorDescription = description };
}
