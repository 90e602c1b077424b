using System.Data.Common;

namespace IdentityServer.MultiSession.Sessions;

/// <summary>Recognises a failure of the database (unreachable, timing out, failing mid-request) in an exception chain.</summary>
public static class DatabaseFailure
{
    /// <summary>
    /// <c>true</c> when <paramref name="exception"/> or one of its inner exceptions comes from the database or its connection:
    /// a <see cref="DbException"/>, a <see cref="TimeoutException"/> or a socket error.
    /// </summary>
    public static bool IsDatabaseFailure(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is DbException or TimeoutException or System.Net.Sockets.SocketException)
            {
                return true;
            }

            if (current is AggregateException aggregate && aggregate.InnerExceptions.Any(IsDatabaseFailure))
            {
                return true;
            }
        }

        return false;
    }
}
