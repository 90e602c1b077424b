using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace IdentityServer.MultiSession.Sessions;

/// <summary>
/// Turns a <see cref="MultiSessionSignInSupersededException"/> (a sign-in that raced with another sign-in of the same browser)
/// into a 409 problem details answer. Pages catch the exception themselves and show its message. Active where the host calls
/// <c>UseExceptionHandler</c>.
/// </summary>
internal sealed class MultiSessionSignInSupersededExceptionHandler(IProblemDetailsService problemDetails) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not MultiSessionSignInSupersededException superseded)
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
                Title = "Another sign-in just finished in this browser",
                Detail = superseded.Message,
            },
        });
    }
}
