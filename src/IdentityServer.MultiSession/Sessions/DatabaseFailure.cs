using System.Data.Common;

namespace IdentityServer.MultiSession.Sessions;

/// <summary>Recognises a failure of the database (unreachable, timing out, failing mid-request) in an exception chain.</summary>
internal static class DatabaseFailure
{
    private const string RetryLimitExceededExceptionName = "Microsoft.EntityFrameworkCore.Storage.RetryLimitExceededException";

    /// <summary>
    /// <c>true</c> when <paramref name="exception"/> or one of its inner exceptions comes from the database or its connection,
    /// whoever made the call (the library, Identity's or OpenIddict's stores, a host page): a provider's <see cref="DbException"/>
    /// (connection refused, timeouts and broken connections are reported as such by every ADO.NET provider, EF Core wraps them)
    /// or EF Core's <c>RetryLimitExceededException</c> (recognised by name: the core references no EF Core). A timeout or socket error on its own is not one: an outgoing
    /// <c>HttpClient</c> call that times out (<see cref="TaskCanceledException"/> over a <see cref="TimeoutException"/>) or fails
    /// (<c>HttpRequestException</c> over a socket error) is no database outage.
    /// </summary>
    public static bool IsDatabaseFailure(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is DbException || current.GetType().FullName == RetryLimitExceededExceptionName)
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
