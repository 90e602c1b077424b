namespace IdentityServer.MultiSession.Sessions;

/// <summary>Who ended a session through "Your devices" or the administration pages and API: logged with the revocation.</summary>
public enum SessionRevocationReason
{
    /// <summary>The user ended one of their own sessions (on another device, or every other device).</summary>
    User = 0,

    /// <summary>An administrator ended the session.</summary>
    Administrator = 1,
}
