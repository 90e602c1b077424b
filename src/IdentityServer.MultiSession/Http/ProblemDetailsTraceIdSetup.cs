using IdentityServer.MultiSession.Events;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace IdentityServer.MultiSession.Http;

/// <summary>
/// Sets the <c>traceId</c> member of every problem details body written through <see cref="IProblemDetailsService"/> to the
/// W3C trace id of <see cref="System.Diagnostics.Activity.Current"/>: the id the extension's log lines and events carry, so that
/// an error a user reports can be found in the log. (ASP.NET Core's default is the whole activity id, or the connection-based
/// request id when there is no activity.) A host's own <see cref="ProblemDetailsOptions.CustomizeProblemDetails"/> runs first.
/// </summary>
internal sealed class ProblemDetailsTraceIdSetup : IPostConfigureOptions<ProblemDetailsOptions>
{
    public const string TraceIdMember = "traceId";

    public void PostConfigure(string? name, ProblemDetailsOptions options)
    {
        var host = options.CustomizeProblemDetails;
        options.CustomizeProblemDetails = context =>
        {
            host?.Invoke(context);
            if (MultiSessionEventRaiser.CurrentTraceId is { } traceId)
            {
                context.ProblemDetails.Extensions[TraceIdMember] = traceId;
            }
        };
    }
}
