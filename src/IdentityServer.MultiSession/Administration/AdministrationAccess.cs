using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IdentityServer.MultiSession.Administration;

/// <summary>
/// Decides whether a request may use the administration pages or API: the policy named by
/// <see cref="MultiSessionOptions.AdministrationPolicy"/>, with its own authentication schemes (a cookie, a bearer token).
/// A policy the host did not define refuses everybody.
/// </summary>
internal static class AdministrationAccess
{
    /// <summary>What the request gets.</summary>
    public enum Outcome
    {
        /// <summary>The caller is an administrator.</summary>
        Allowed,

        /// <summary>The caller is not authenticated: 401 (API) or the login page.</summary>
        Challenged,

        /// <summary>The caller is authenticated but not an administrator: 403.</summary>
        Forbidden,
    }

    public static async Task<Outcome> AuthorizeAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var name = services.GetRequiredService<IOptionsMonitor<MultiSessionOptions>>().CurrentValue.AdministrationPolicy;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AdministrationAccess).FullName!);
        var policy = await services.GetRequiredService<IAuthorizationPolicyProvider>().GetPolicyAsync(name);
        if (policy is null)
        {
            Log.AdministrationPolicyMissing(logger, name);
            return Outcome.Forbidden;
        }

        var evaluator = services.GetRequiredService<IPolicyEvaluator>();
        var authentication = await evaluator.AuthenticateAsync(policy, context);
        var result = await evaluator.AuthorizeAsync(policy, authentication, context, resource: null);
        var outcome = result.Succeeded ? Outcome.Allowed : result.Challenged ? Outcome.Challenged : Outcome.Forbidden;
        if (outcome != Outcome.Allowed)
        {
            Log.AdministrationRefused(logger, context.Request.Method, context.Request.Path.Value ?? string.Empty, outcome.ToString());
        }

        return outcome;
    }
}
