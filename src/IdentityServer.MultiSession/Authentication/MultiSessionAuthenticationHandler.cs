using System.Security.Claims;
using System.Text.Encodings.Web;
using IdentityServer.MultiSession.Authorization;
using IdentityServer.MultiSession.Sessions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IdentityServer.MultiSession.Authentication;

/// <summary>
/// Serves ASP.NET Core Identity's application scheme from device sessions: <c>HttpContext.User</c> is the device's active
/// account, or the account chosen for the current authorization request; a sign-in adds a device session, a sign-out ends
/// every session on the device (BEHAVIOUR.md §3).
/// </summary>
public class MultiSessionAuthenticationHandler : SignInAuthenticationHandler<MultiSessionAuthenticationOptions>
{
    // Marks the properties this handler's authentication returned. SignInManager.RefreshSignInAsync hands exactly those back to
    // SignInAsync (a refresh of the signed-in user's cookie), a real sign-in creates new ones.
    private const string SessionIdItem = ".multisession.sid";

    private readonly IOptionsMonitor<MultiSessionOptions> _multiSession;

    /// <summary>Creates the handler.</summary>
    public MultiSessionAuthenticationHandler(
        IOptionsMonitor<MultiSessionAuthenticationOptions> options,
        ILoggerFactory logger,
        UrlEncoder encoder,
        IOptionsMonitor<MultiSessionOptions> multiSession)
        : base(options, logger, encoder)
    {
        _multiSession = multiSession;
    }

    /// <summary>The events.</summary>
    protected new MultiSessionAuthenticationEvents Events
    {
        get => (MultiSessionAuthenticationEvents)base.Events!;
        set => base.Events = value;
    }

    private IDeviceSessionService Sessions => Context.RequestServices.GetRequiredService<IDeviceSessionService>();

    /// <inheritdoc />
    protected override Task<object> CreateEventsAsync() => Task.FromResult<object>(new MultiSessionAuthenticationEvents());

    /// <inheritdoc />
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var selection = Context.RequestServices.GetRequiredService<AccountSelectionProtector>().Read(Request);
        var sessionId = selection?.Kind == AccountSelectionKind.Picked ? selection.SessionId : null;
        var ticket = await Sessions.AuthenticateAsync(Context, sessionId, Context.RequestAborted);
        if (ticket is null)
        {
            return AuthenticateResult.NoResult();
        }

        var validate = new MultiSessionValidatePrincipalContext(Context, ticket.Session, ticket.Principal);
        await Events.ValidatePrincipal(validate);
        if (validate.Rejected)
        {
            return AuthenticateResult.Fail("The session was rejected by OnValidatePrincipal.");
        }

        Context.Features.Set<IDeviceSessionFeature>(new DeviceSessionFeature(ticket.Session));
        var properties = new AuthenticationProperties { IssuedUtc = ticket.Session.AuthenticatedAt, ExpiresUtc = ticket.Session.ExpiresAt };
        properties.Items[SessionIdItem] = ticket.Session.SessionId;
        return AuthenticateResult.Success(new AuthenticationTicket(ticket.Principal, properties, Scheme.Name));
    }

    /// <inheritdoc />
    protected override async Task HandleSignInAsync(ClaimsPrincipal user, AuthenticationProperties? properties)
    {
        if (properties?.Items.TryGetValue(SessionIdItem, out var sessionId) == true && sessionId is not null)
        {
            // A refresh (RefreshSignInAsync after a profile or password change), not an authentication: the session is renewed
            // in place and keeps its sid and auth_time.
            var refreshed = await Sessions.RefreshSignInAsync(Context, user, Context.RequestAborted);
            if (refreshed is not null)
            {
                await Events.SignedIn(Context, refreshed);
            }

            return;
        }

        var session = await Sessions.SignInAsync(Context, user, Context.RequestAborted);
        await Events.SignedIn(Context, session);
    }

    /// <inheritdoc />
    protected override async Task HandleSignOutAsync(AuthenticationProperties? properties)
    {
        await Sessions.SignOutAsync(Context, Context.RequestAborted);
        await Events.SignedOut(Context);
    }

    /// <inheritdoc />
    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (IsApiRequest())
        {
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Task.CompletedTask;
        }

        var options = _multiSession.CurrentValue;
        var returnUrl = properties.RedirectUri ?? OriginalPathBase + OriginalPath + Request.QueryString;
        Response.Redirect(LoginUrl.Build(options, OriginalPathBase, returnUrl));
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        if (IsApiRequest())
        {
            Response.StatusCode = StatusCodes.Status403Forbidden;
            return Task.CompletedTask;
        }

        var options = _multiSession.CurrentValue;
        var returnUrl = properties.RedirectUri ?? OriginalPathBase + OriginalPath + Request.QueryString;
        Response.Redirect(QueryHelpers.AddQueryString(OriginalPathBase + options.AccessDeniedPath!.Value, options.ReturnUrlParameter!, returnUrl));
        return Task.CompletedTask;
    }

    private bool IsApiRequest() =>
        Request.Path.StartsWithSegments(MultiSessionDefaults.ApiPathPrefix, StringComparison.OrdinalIgnoreCase)
        || string.Equals(Request.Headers.XRequestedWith, "XMLHttpRequest", StringComparison.Ordinal);
}
