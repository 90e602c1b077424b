namespace IdentityServer.MultiSession.Authorization;

/// <summary>What the authorization endpoint does with a request (BEHAVIOUR.md §4).</summary>
public enum AuthorizationAccountDecisionKind
{
    /// <summary>Issue the response for <see cref="AuthorizationAccountDecision.Session"/>.</summary>
    UseAccount = 1,

    /// <summary>Redirect to the account picker (<see cref="AuthorizationAccountDecision.RedirectUri"/>).</summary>
    ShowPicker = 2,

    /// <summary>Redirect to the login page (<see cref="AuthorizationAccountDecision.RedirectUri"/>).</summary>
    ShowLogin = 3,

    /// <summary>Answer the client with <see cref="AuthorizationAccountDecision.Error"/>.</summary>
    Error = 4,
}
