using IdentityServer.MultiSession.Sessions;

namespace IdentityServer.MultiSession;

/// <summary>
/// Thrown by <see cref="IDeviceSessionService.SetActiveAsync"/> when the switch policy
/// (<see cref="MultiSessionOptions.ReauthenticateAfter"/>) asks the account to authenticate again before it becomes active:
/// nothing was changed. The picker sends the user to the login page for that account; the JSON API answers 403 with the
/// login page's URL.
/// </summary>
public sealed class MultiSessionReauthenticationRequiredException : InvalidOperationException
{
    /// <summary>The message.</summary>
    public const string DefaultMessage = "This account must sign in again before it can be used.";

    /// <summary>Creates the exception for <paramref name="session"/>.</summary>
    /// <param name="session">The account that must authenticate again.</param>
    public MultiSessionReauthenticationRequiredException(DeviceSession session)
        : base(DefaultMessage)
    {
        Session = session;
    }

    /// <summary>Creates the exception.</summary>
    public MultiSessionReauthenticationRequiredException()
        : base(DefaultMessage)
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public MultiSessionReauthenticationRequiredException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public MultiSessionReauthenticationRequiredException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The account that must authenticate again, when known.</summary>
    public DeviceSession? Session { get; }
}
