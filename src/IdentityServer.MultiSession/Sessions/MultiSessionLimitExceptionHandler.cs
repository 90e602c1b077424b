using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace IdentityServer.MultiSession.Sessions;

/// <summary>
/// Turns a <see cref="MultiSessionLimitReachedException"/> thrown by a JSON request into a 409 problem details answer (BEHAVIOUR.md §3.3).
/// Pages catch the exception themselves and show the limit message. Active where the host calls <c>UseExceptionHandler</c>.
/// </summary>
internal sealed class MultiSessionLimitExceptionHandler(IProblemDetailsService problemDetails) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not MultiSessionLimitReachedException limit)
        {
            return false;
        }

        httpContext.Response.StatusCode = StatusCodes.Status409Conflict;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status409Conflict,
                Title = "Too many accounts on this browser",
                Detail = limit.Message,
            },
        });
    }
}
