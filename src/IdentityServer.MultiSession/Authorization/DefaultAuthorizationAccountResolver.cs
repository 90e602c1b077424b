using IdentityServer.MultiSession.Sessions;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace IdentityServer.MultiSession.Authorization;

/// <summary>Default <see cref="IAuthorizationAccountResolver"/>: the table of BEHAVIOUR.md §4, in order.</summary>
public class DefaultAuthorizationAccountResolver : IAuthorizationAccountResolver
{
    private const string PromptNone = "none";
    private const string PromptLogin = "login";
    private const string PromptSelectAccount = "select_account";

    private readonly IDeviceSessionService _sessions;
    private readonly AccountSelectionProtector _selection;
    private readonly IOptionsMonitor<MultiSessionOptions> _options;
    private readonly TimeProvider _time;

    /// <summary>
    /// Creates the resolver. <paramref name="dataProtection"/> reads the account chosen for a request on the picker or the
    /// login page (a protected, time-limited parameter of the authorization request).
    /// </summary>
    public DefaultAuthorizationAccountResolver(
        IDeviceSessionService sessions,
        IDataProtectionProvider dataProtection,
        IOptionsMonitor<MultiSessionOptions> options,
        TimeProvider time)
    {
        _sessions = sessions;
        _selection = new AccountSelectionProtector(dataProtection, time, options);
        _options = options;
        _time = time;
    }

    /// <inheritdoc />
    public virtual async Task<AuthorizationAccountDecision> ResolveAsync(HttpContext context, AuthorizationAccountRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var sessions = await _sessions.ListAsync(context, cancellationToken);
        var none = request.Prompt.Contains(PromptNone);
        var returnUrl = AccountSelectionProtector.Remove(request.ReturnUrl);

        // 1. A choice already made for this very request (picker or login page) wins over prompt and hints.
        var selection = _selection.Read(context.Request);
        if (selection is not null)
        {
            var chosen = selection.Kind == AccountSelectionKind.Picked
                ? sessions.FirstOrDefault(s => s.SessionId == selection.SessionId)
                : sessions.Where(s => s.AuthenticatedAt >= selection.IssuedAt.AddMilliseconds(-1)).MaxBy(s => s.AuthenticatedAt);
            if (chosen is not null)
            {
                if (request.IdTokenHintSubject is { } subject && chosen.UserId != subject)
                {
                    return AuthorizationAccountDecision.Fail(AuthorizationErrors.LoginRequired, "The account signed in is not the one named by id_token_hint.");
                }

                if (selection.Kind == AccountSelectionKind.SignIn)
                {
                    return AuthorizationAccountDecision.Use(chosen);
                }

                // An account picked in the picker has not authenticated for this request: prompt=login and max_age=0
                // still need a real authentication of it, so it goes to the login form with its hint.
                if (FreshAuthentication.IsAlwaysRequired(request.Prompt, request.MaxAge))
                {
                    return none
                        ? AuthorizationAccountDecision.Fail(AuthorizationErrors.LoginRequired, "prompt=none cannot be combined with a fresh login.")
                        : Login(returnUrl, chosen.Email ?? chosen.UserName);
                }

                return CheckMaxAge(chosen, request, returnUrl, none);
            }
        }

        // 2. prompt=login or max_age=0: the login page; the account that signs in is used (and becomes active).
        if (request.Prompt.Contains(PromptLogin) || request.MaxAge == 0)
        {
            return none
                ? AuthorizationAccountDecision.Fail(AuthorizationErrors.LoginRequired, "prompt=none cannot be combined with a fresh login.")
                : Login(returnUrl, request.LoginHint);
        }

        // 3. id_token_hint: that token's subject on this device.
        if (request.IdTokenHintSubject is { } sub)
        {
            var hinted = sessions.FirstOrDefault(s => s.UserId == sub);
            if (hinted is null)
            {
                return none
                    ? AuthorizationAccountDecision.Fail(AuthorizationErrors.LoginRequired, "The account named by id_token_hint is not signed in on this browser.")
                    : Login(returnUrl, request.LoginHint);
            }

            if (hinted.RequiresReauthentication)
            {
                return Reauthenticate(hinted, returnUrl, none, "The account named by id_token_hint must sign in again before it is used.");
            }

            return CheckMaxAge(hinted, request, returnUrl, none);
        }

        // 4. login_hint: a signed-in account with that email or user name, without the picker.
        if (!string.IsNullOrWhiteSpace(request.LoginHint))
        {
            var hint = request.LoginHint.Trim();
            var hinted = sessions.FirstOrDefault(s =>
                string.Equals(s.Email, hint, StringComparison.OrdinalIgnoreCase) ||
                string.Equals(s.UserName, hint, StringComparison.OrdinalIgnoreCase));
            if (hinted is null)
            {
                return none
                    ? AuthorizationAccountDecision.Fail(AuthorizationErrors.LoginRequired, "The account named by login_hint is not signed in on this browser.")
                    : Login(returnUrl, hint);
            }

            if (hinted.RequiresReauthentication)
            {
                return Reauthenticate(hinted, returnUrl, none, "The account named by login_hint must sign in again before it is used.");
            }

            return CheckMaxAge(hinted, request, returnUrl, none);
        }

        // 5. prompt=select_account: the picker.
        if (request.Prompt.Contains(PromptSelectAccount))
        {
            return none
                ? AuthorizationAccountDecision.Fail(AuthorizationErrors.AccountSelectionRequired, "prompt=none cannot be combined with select_account.")
                : Picker(returnUrl);
        }

        // 6. No prompt, no hint.
        if (sessions.Count == 0)
        {
            return none
                ? AuthorizationAccountDecision.Fail(AuthorizationErrors.LoginRequired, "No account is signed in on this browser.")
                : Login(returnUrl, null);
        }

        if (none && sessions.Count > 1)
        {
            return AuthorizationAccountDecision.Fail(AuthorizationErrors.AccountSelectionRequired, "Several accounts are signed in on this browser; the user must choose one.");
        }

        var active = sessions.FirstOrDefault(s => s.IsActive);
        if (active is null)
        {
            // No active account: the switch policy asks every account here to authenticate again before it becomes active.
            if (sessions.Count == 1)
            {
                return Reauthenticate(sessions[0], returnUrl, none, "The account signed in on this browser must sign in again before it is used.");
            }

            return none
                ? AuthorizationAccountDecision.Fail(AuthorizationErrors.AccountSelectionRequired, "No account is active on this browser; the user must choose one.")
                : Picker(returnUrl);
        }

        return CheckMaxAge(active, request, returnUrl, none);
    }

    /// <summary>
    /// The switch policy asks <paramref name="session"/> to authenticate again before it is used: the login page for that
    /// account, or <c>login_required</c> with <c>prompt=none</c>.
    /// </summary>
    private AuthorizationAccountDecision Reauthenticate(DeviceSession session, string returnUrl, bool none, string description) => none
        ? AuthorizationAccountDecision.Fail(AuthorizationErrors.LoginRequired, description)
        : Login(returnUrl, session.Email ?? session.UserName);

    private AuthorizationAccountDecision CheckMaxAge(DeviceSession session, AuthorizationAccountRequest request, string returnUrl, bool none)
    {
        if (request.MaxAge is { } maxAge && _time.GetUtcNow() - session.AuthenticatedAt > TimeSpan.FromSeconds(maxAge))
        {
            return none
                ? AuthorizationAccountDecision.Fail(AuthorizationErrors.LoginRequired, "The account's authentication is older than max_age.")
                : Login(returnUrl, session.Email ?? session.UserName);
        }

        return AuthorizationAccountDecision.Use(session);
    }

    private AuthorizationAccountDecision Login(string returnUrl, string? loginHint)
    {
        return new AuthorizationAccountDecision
        {
            Kind = AuthorizationAccountDecisionKind.ShowLogin,
            RedirectUri = LoginUrl.Build(_options.CurrentValue, PathString.Empty, _selection.Append(returnUrl, AccountSelectionKind.SignIn, null), loginHint),
        };
    }

    private AuthorizationAccountDecision Picker(string returnUrl)
    {
        var options = _options.CurrentValue;
        return new AuthorizationAccountDecision
        {
            Kind = AuthorizationAccountDecisionKind.ShowPicker,
            RedirectUri = QueryHelpers.AddQueryString(options.PickerPath.Value!, "returnUrl", returnUrl),
        };
    }
}
