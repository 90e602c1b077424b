namespace IdentityServer.MultiSession;

/// <summary>
/// Thrown by a sign-in that raced with another sign-in of the same browser and lost: the other one has just given the browser
/// a new device secret, and this one, carrying the old secret, was refused without writing anything. The user tries again.
/// Pages show <see cref="Exception.Message"/>; JSON requests get a 409 problem.
/// </summary>
public sealed class MultiSessionSignInSupersededException : InvalidOperationException
{
    /// <summary>The message shown to the user.</summary>
    public const string DefaultMessage = "Another sign-in just finished in this browser. Please try again.";

    /// <summary>Creates the exception.</summary>
    public MultiSessionSignInSupersededException()
        : base(DefaultMessage)
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public MultiSessionSignInSupersededException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public MultiSessionSignInSupersededException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
