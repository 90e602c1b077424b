using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using IdentityServer.MultiSession.Authentication;
using IdentityServer.MultiSession.Events;
using IdentityServer.MultiSession.Storage;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IdentityServer.MultiSession.Sessions;

/// <summary>
/// Default <see cref="IDeviceSessionService"/>: the session rules of BEHAVIOUR.md §3 over an <see cref="IDeviceSessionStore"/>,
/// with the device cookie of BEHAVIOUR.md §7 and time from <see cref="TimeProvider"/>.
/// </summary>
public class DefaultDeviceSessionService : IDeviceSessionService
{
    /// <summary>The Data Protection purpose of the principals stored with device sessions.</summary>
    public const string TicketProtectionPurpose = "IdentityServer.MultiSession.DeviceSessionTicket.v1";

    /// <summary>
    /// How long a replaced device secret is still recognised: a sign-in carrying it is refused with "try again" (it raced
    /// with the sign-in that replaced it) instead of starting a new device.
    /// </summary>
    public static readonly TimeSpan SupersededSecretWindow = TimeSpan.FromSeconds(60);

    // TicketSerializer's format starts with its version, 5, as a little-endian Int32: the rows of earlier versions.
    private static readonly byte[] PlainTicketHeader = [5, 0, 0, 0];

    private readonly IDeviceSessionStore _store;
    private readonly IDataProtector _tickets;
    private readonly IOptionsMonitor<MultiSessionOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IServiceProvider _services;

    /// <summary>Creates the service.</summary>
    /// <param name="store">The store.</param>
    /// <param name="options">The options.</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="services">
    /// Where the <see cref="IMultiSessionUserValidator"/> and <see cref="IMultiSessionPrincipalValidator"/>s are resolved from,
    /// only when a security-stamp check is due.
    /// </param>
    /// <param name="dataProtection">Protects the principals stored with the sessions.</param>
    public DefaultDeviceSessionService(
        IDeviceSessionStore store,
        IOptionsMonitor<MultiSessionOptions> options,
        TimeProvider time,
        ILogger<DefaultDeviceSessionService> logger,
        IServiceProvider services,
        IDataProtectionProvider dataProtection)
    {
        ArgumentNullException.ThrowIfNull(dataProtection);
        _store = store;
        _tickets = dataProtection.CreateProtector(TicketProtectionPurpose);
        _options = options;
        _time = time;
        _logger = logger;
        _services = services;
    }

    private MultiSessionOptions Options => _options.CurrentValue;

    /// <summary>Raises the events of committed changes (absent when the service is built outside <c>AddMultiSession</c>).</summary>
    private MultiSessionEventRaiser? Events => _services.GetService<MultiSessionEventRaiser>();

    /// <inheritdoc />
    public virtual async Task<IReadOnlyList<DeviceSession>> ListAsync(HttpContext context, CancellationToken cancellationToken = default)
    {
        var hash = ReadDeviceHash(context);
        if (hash is null)
        {
            return [];
        }

        var now = _time.GetUtcNow();
        var list = await _store.ListAsync(hash, now, cancellationToken);
        if (list.Sessions.Any(s => IsCheckDue(s, now)))
        {
            // Accounts whose security stamp is due for a check are checked before they are offered (picker, hints).
            var kept = new List<StoredDeviceSession>(list.Sessions.Count);
            foreach (var session in list.Sessions)
            {
                if (!IsCheckDue(session, now) || await CheckStampAsync(session, null, now, cancellationToken) is not null)
                {
                    kept.Add(session);
                }
            }

            list = list with { Sessions = kept };
        }

        // The active account is never marked: the policy is evaluated (a ticket read and an authorization) for the others only.
        var activeId = list.ActiveSessionId;
        var activeListed = list.Sessions.Any(s => s.Id == activeId);
        var stale = await FindSwitchPolicyStaleAsync(list.Sessions, activeListed ? activeId : null, now, cancellationToken);
        if (list.Sessions.Count > 0 && !activeListed)
        {
            // The active session ended (expired or revoked elsewhere): the most recently used one takes its place, unless the
            // switch policy asks it to authenticate again first (then none may, and the device has no active account).
            activeId = list.Sessions.FirstOrDefault(s => stale?.Contains(s.Id) != true)?.Id;
        }

        return list.Sessions
            .Select(s => s.ToDeviceSession(activeId) is var session && stale?.Contains(s.Id) == true && !session.IsActive
                ? session with { RequiresReauthentication = true }
                : session)
            .ToList();
    }

    /// <inheritdoc />
    public virtual Task<DeviceSessionTicket?> AuthenticateAsync(HttpContext context, string? sessionId, CancellationToken cancellationToken = default) =>
        AuthenticateAsync(context, sessionId, unreadableRetries: 3, cancellationToken);

    private async Task<DeviceSessionTicket?> AuthenticateAsync(HttpContext context, string? sessionId, int unreadableRetries, CancellationToken cancellationToken)
    {
        var hash = ReadDeviceHash(context);
        if (hash is null)
        {
            return null;
        }

        if (sessionId is not null && !DeviceSecret.IsWellFormedId(sessionId))
        {
            sessionId = null;
        }

        var now = _time.GetUtcNow();
        var lookup = await _store.FindAsync(hash, sessionId, now, cancellationToken);
        if (lookup is null)
        {
            return null;
        }

        var session = lookup.Session;
        var activeId = lookup.Device.ActiveSessionId;
        if (session is null && sessionId is not null)
        {
            lookup = await _store.FindAsync(hash, null, now, cancellationToken);
            if (lookup is null)
            {
                return null;
            }

            session = lookup.Session;
            activeId = lookup.Device.ActiveSessionId;
        }

        if (session is null)
        {
            session = Options.ReauthenticateAfter is null
                ? await _store.ActivateMostRecentAsync(lookup.Device.Id, now, cancellationToken)
                : await ActivateMostRecentAllowedAsync(hash, lookup.Device, now, cancellationToken);
            activeId = session?.Id;
            if (session is null)
            {
                return null;
            }
        }

        var principal = ReadTicket(session, out var plain);
        if (principal is null)
        {
            // A stored principal that cannot be unprotected or read ends that session only; the browser carries on without
            // it (the next most recently used account, or signed out), never an error on every request.
            var removed = await _store.RemoveSessionAsync(session.Id, cancellationToken);
            Log.TicketUnreadable(_logger, session.DeviceId, session.Id);
            await RaiseEndedAsync(removed, session, SessionEndReason.Unreadable, context);
            return unreadableRetries > 0 ? await AuthenticateAsync(context, null, unreadableRetries - 1, cancellationToken) : null;
        }

        var options = Options;

        // A security-stamp check, when due: a session created under an older stamp has ended, and the stored principal is
        // rebuilt from the user store (roles and claims as they are now).
        var validate = IsCheckDue(session, now);
        if (validate)
        {
            principal = await CheckStampAsync(session, principal, now, cancellationToken);
            if (principal is null)
            {
                return null;
            }

            foreach (var validator in _services.GetServices<IMultiSessionPrincipalValidator>())
            {
                if (!await validator.ValidateAsync(principal, cancellationToken))
                {
                    var count = await _store.RemoveSessionAsync(session.Id, cancellationToken);
                    await RaiseEndedAsync(count, session, SessionEndReason.SecurityStamp, context);
                    return null;
                }
            }
        }
        else if (plain)
        {
            // A row of an earlier version: read once as it was, stored protected from now on.
            await _store.UpdateTicketAsync(session.Id, Protect(session.Ticket), session.SecurityStampHash ?? StampHashOf(principal), session.LastValidatedAt, cancellationToken);
        }

        // Use of the session slides its expiry, written at most once per LastSeenUpdateInterval. The device cookie's expiry
        // moves with it only while the request's secret is still the device's current one: a request that raced with a
        // sign-in (which replaced the secret) never sets the old secret back.
        if (now - session.LastSeenAt >= options.LastSeenUpdateInterval)
        {
            session = session with { LastSeenAt = now, ExpiresAt = ComputeExpiry(now, session.AbsoluteExpiresAt, options) };
            if (await _store.TouchAsync(session.Id, session.LastSeenAt, session.ExpiresAt, hash, cancellationToken))
            {
                AppendDeviceCookie(context, ReadDeviceSecret(context)!, session.ExpiresAt);
            }
        }

        AddSessionClaims(principal, session);
        return new DeviceSessionTicket(session.ToDeviceSession(activeId), principal);
    }

    /// <inheritdoc />
    public virtual async Task<DeviceSession> SignInAsync(HttpContext context, ClaimsPrincipal principal, CancellationToken cancellationToken = default) =>
        (await SignInAsync(context, principal, refresh: false, cancellationToken))!;

    /// <inheritdoc />
    public virtual Task<DeviceSession?> RefreshSignInAsync(HttpContext context, ClaimsPrincipal principal, CancellationToken cancellationToken = default) =>
        SignInAsync(context, principal, refresh: true, cancellationToken);

    private async Task<DeviceSession?> SignInAsync(HttpContext context, ClaimsPrincipal principal, bool refresh, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(principal);
        var options = Options;
        var now = _time.GetUtcNow();
        var userId = principal.FindFirst(options.UserIdClaimType!)?.Value;
        if (string.IsNullOrEmpty(userId))
        {
            throw new InvalidOperationException($"The principal signing in has no '{options.UserIdClaimType}' claim (the user id).");
        }

        var userName = principal.FindFirst(options.UserNameClaimType!)?.Value;
        var email = principal.FindFirst(options.EmailClaimType!)?.Value;
        var displayName = principal.FindFirst(options.DisplayNameClaimType)?.Value ?? userName;
        var absolute = options.AbsoluteExpiration is { } lifetime ? now + lifetime : (DateTimeOffset?)null;
        var stampHash = StampHashOf(principal);
        var (browser, operatingSystem) = Devices.UserAgentSummary.Parse(context.Request.Headers.UserAgent.ToString());
        var newSecret = DeviceSecret.Create();
        var newDeviceId = DeviceSecret.CreateId();
        var session = new StoredDeviceSession
        {
            Id = DeviceSecret.CreateId(),
            DeviceId = newDeviceId,
            Handle = DeviceSecret.CreateId(),
            UserId = userId,
            UserName = Truncate(userName),
            DisplayName = Truncate(displayName),
            Email = Truncate(email),
            AuthenticatedAt = now,
            CreatedAt = now,
            LastSeenAt = now,
            LastValidatedAt = now,
            AbsoluteExpiresAt = absolute,
            ExpiresAt = ComputeExpiry(now, absolute, options),
            SecurityStampHash = stampHash,
            Ticket = Protect(Serialize(principal)),
            AuthenticationMethods = JoinAuthenticationMethods(principal),
            Browser = browser,
            OperatingSystem = operatingSystem,
            IpAddress = options.RecordIpAddress ? Devices.IpAddressTruncation.Truncate(context.Connection.RemoteIpAddress) : null,
        };

        var currentHash = ReadDeviceHash(context);
        var result = await _store.SignInAsync(
            new DeviceSignInRequest(currentHash, DeviceSecret.TryHash(newSecret)!, newDeviceId, session, options.MaximumSessions, options.OnLimitReached, now)
            {
                SupersededAfter = now - SupersededSecretWindow,
                Refresh = refresh,
            },
            cancellationToken);

        switch (result.Outcome)
        {
            case DeviceSignInOutcome.LimitReached:
                if (Events is { } refused)
                {
                    await refused.LimitRefusedAsync(_services, context, userId, null, result.SessionCount, options.MaximumSessions);
                }

                throw new MultiSessionLimitReachedException(options.MaximumSessions, result.SessionCount);
            case DeviceSignInOutcome.Superseded:
                Log.SignInSuperseded(_logger, userId);
                throw new MultiSessionSignInSupersededException();
            case DeviceSignInOutcome.SessionGone:
                Log.RefreshWithoutSession(_logger, userId);
                return null;
        }

        var added = result.Session!;

        // Every sign-in gives the browser a new device secret: a copy of the cookie taken before reaches nothing after.
        AppendDeviceCookie(context, newSecret, added.ExpiresAt);
        await RaiseEndedAsync(result.ExpiredSessions, SessionEndReason.Expiry, context);
        await RaiseEndedAsync(result.EvictedSessions, SessionEndReason.Eviction, context);
        var events = Events;

        if (refresh)
        {
            // The session on which the user changed their own password (or profile) carries the new stamp now; sessions
            // created under an older stamp, on every device, end at once.
            await RaiseStampEndedAsync(userId, await _store.EndUserSessionsAsync(userId, staleOnly: true, stampHash, cancellationToken), context);
            Log.Refreshed(_logger, added.DeviceId, added.Id, userId);
        }
        else if (result.Outcome == DeviceSignInOutcome.Renewed)
        {
            if (events is not null)
            {
                await events.ReauthenticatedAsync(_services, context, userId, added.Id, added.DeviceId, result.SessionCount);
            }
        }
        else if (events is not null)
        {
            await events.SignedInAsync(_services, context, userId, added.Id, added.DeviceId, result.SessionCount);
        }

        return added.ToDeviceSession(added.Id);
    }

    /// <inheritdoc />
    public virtual async Task<DeviceSession?> SetActiveAsync(HttpContext context, string sessionToken, CancellationToken cancellationToken = default)
    {
        var hash = ReadDeviceHash(context);
        if (hash is null || !DeviceSecret.IsWellFormedId(sessionToken))
        {
            return null;
        }

        var now = _time.GetUtcNow();
        if (Options.ReauthenticateAfter is not null)
        {
            // The switch policy: an account it names, whose last authentication is too old, authenticates again first.
            var list = await _store.ListAsync(hash, now, cancellationToken);
            var target = list.Sessions.FirstOrDefault(s => s.Handle == sessionToken);
            if (target is not null && target.Id != list.ActiveSessionId && await RequiresReauthenticationAsync(target, now, cancellationToken))
            {
                Log.ReauthenticationRequired(_logger, target.DeviceId, target.Id, target.UserId, "set-active");
                throw new MultiSessionReauthenticationRequiredException(target.ToDeviceSession(list.ActiveSessionId) with { RequiresReauthentication = true });
            }
        }

        var session = await _store.SetActiveAsync(hash, sessionToken, now, cancellationToken);
        if (session is null)
        {
            return null;
        }

        if (IsCheckDue(session, now) && await CheckStampAsync(session, null, now, cancellationToken) is null)
        {
            return null;
        }

        // Switching to an account is a use of it: its sliding expiry moves on.
        session = session with { ExpiresAt = ComputeExpiry(now, session.AbsoluteExpiresAt, Options) };
        await _store.TouchAsync(session.Id, now, session.ExpiresAt, null, cancellationToken);

        if (Events is { } events)
        {
            await events.SwitchedAsync(_services, context, session.UserId, session.Id, session.DeviceId);
        }

        return session.ToDeviceSession(session.Id);
    }

    /// <inheritdoc />
    public virtual Task<bool> RevokeAsync(HttpContext context, string sessionToken, CancellationToken cancellationToken = default) =>
        RevokeAsync(context, sessionToken, SessionEndReason.User, clientId: null, cancellationToken);

    /// <inheritdoc />
    public virtual Task<bool> RevokeAsync(HttpContext context, string sessionToken, SessionEndReason reason, string? clientId, CancellationToken cancellationToken = default) =>
        RevokeCoreAsync(context, sessionToken, reason, clientId, remember: false, cancellationToken);

    /// <inheritdoc />
    public virtual Task<bool> SignOutAccountAsync(HttpContext context, string sessionToken, CancellationToken cancellationToken = default) =>
        SignOutAccountAsync(context, sessionToken, SessionEndReason.User, clientId: null, cancellationToken);

    /// <inheritdoc />
    public virtual Task<bool> SignOutAccountAsync(HttpContext context, string sessionToken, SessionEndReason reason, string? clientId, CancellationToken cancellationToken = default) =>
        RevokeCoreAsync(context, sessionToken, reason, clientId, remember: Options.RememberSignedOutAccounts, cancellationToken);

    private async Task<bool> RevokeCoreAsync(HttpContext context, string sessionToken, SessionEndReason reason, string? clientId, bool remember, CancellationToken cancellationToken)
    {
        var hash = ReadDeviceHash(context);
        if (hash is null || !DeviceSecret.IsWellFormedId(sessionToken))
        {
            return false;
        }

        var now = _time.GetUtcNow();
        var revocation = await _store.RevokeAsync(hash, sessionToken, now, remember, cancellationToken);
        if (revocation is null)
        {
            return false;
        }

        if (remember && !revocation.DeviceRemoved)
        {
            // The device cookie must outlive the remembered entry (and any session still signed in, which expires within the
            // sliding lifetime from now at the latest); the request's secret is the current one, since it named the session.
            Log.AccountRemembered(_logger, revocation.Revoked.DeviceId, revocation.Revoked.Id);
            var options = Options;
            var longest = options.RememberedAccountLifetime > options.SlidingExpiration ? options.RememberedAccountLifetime : options.SlidingExpiration;
            AppendDeviceCookie(context, ReadDeviceSecret(context)!, now + longest);
        }

        await EndedAsync([revocation.Revoked.ToEndedSession()], reason, context, clientId, cancellationToken);

        if (revocation.DeviceRemoved)
        {
            DeleteDeviceCookie(context);
        }
        else if (revocation.ActiveChanged && Options.ReauthenticateAfter is not null)
        {
            // The next active account is the most recently used one that the switch policy lets become active as it is.
            var list = await _store.ListAsync(hash, now, cancellationToken);
            var active = list.Sessions.FirstOrDefault(s => s.Id == list.ActiveSessionId);
            if (active is not null && await RequiresReauthenticationAsync(active, now, cancellationToken) && list.DeviceId is { } deviceId)
            {
                await ActivateMostRecentAllowedAsync(hash, new StoredDevice { Id = deviceId, ActiveSessionId = active.Id }, now, cancellationToken, list);
            }
        }

        return true;
    }

    /// <inheritdoc />
    public virtual Task<int> SignOutAsync(HttpContext context, CancellationToken cancellationToken = default) =>
        SignOutAsync(context, SessionEndReason.User, clientId: null, cancellationToken);

    /// <inheritdoc />
    public virtual async Task<int> SignOutAsync(HttpContext context, SessionEndReason reason, string? clientId, CancellationToken cancellationToken = default)
    {
        var hash = ReadDeviceHash(context);
        var ending = hash is null ? [] : await _store.RevokeAllAsync(hash, cancellationToken);
        if (ending.Count > 0)
        {
            await RevokeTokensAsync(revoker => revoker.RevokeTokensOfSessionsAsync(ending, cancellationToken));
        }

        if (ReadDeviceSecret(context) is not null)
        {
            DeleteDeviceCookie(context);
        }

        if (ending.Count > 0 && Events is { } events)
        {
            await events.SignedOutAllAsync(_services, context, ending, reason, clientId);
        }

        return ending.Count;
    }

    /// <inheritdoc />
    public virtual Task<int> RevokeUserSessionsAsync(string userId, CancellationToken cancellationToken = default) =>
        RevokeUserSessionsAsync(userId, SessionEndReason.Admin, cancellationToken);

    /// <inheritdoc />
    public virtual async Task<int> RevokeUserSessionsAsync(string userId, SessionEndReason reason, CancellationToken cancellationToken = default)
    {
        var ended = await _store.EndUserSessionsAsync(userId, staleOnly: false, currentStampHash: null, cancellationToken);
        await RevokeTokensAsync(revoker => revoker.RevokeTokensOfUserSessionsAsync(userId, cancellationToken));
        await RaiseEndedAsync(ended, reason, null);
        return ended.Count;
    }

    /// <inheritdoc />
    public virtual async Task<int> RevokeStaleSessionsAsync(string userId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        var check = await GetUserValidator().CheckAsync(userId, createPrincipal: false, cancellationToken);
        var ended = await _store.EndUserSessionsAsync(userId, staleOnly: check.CanSignIn, check.SecurityStampHash, cancellationToken);
        await RaiseStampEndedAsync(userId, ended, null);
        return ended.Count;
    }

    /// <inheritdoc />
    public virtual async Task<DeviceSession?> ValidateSessionAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        if (!DeviceSecret.IsWellFormedId(sessionId))
        {
            return null;
        }

        var now = _time.GetUtcNow();
        var session = await _store.FindByIdAsync(sessionId, now, cancellationToken);
        // The stamp is compared on every protocol request; the stored principal is rebuilt and written back only when the
        // periodic check is due, as on pages (a write per token request would also defeat the device lookup cache).
        if (session is null || await CheckStampAsync(session, null, now, cancellationToken, refresh: IsCheckDue(session, now)) is null)
        {
            return null;
        }

        return session.ToDeviceSession(null);
    }

    /// <inheritdoc />
    public virtual async Task<DeviceSession?> FindBySessionIdAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        if (!DeviceSecret.IsWellFormedId(sessionId))
        {
            return null;
        }

        var session = await _store.FindByIdAsync(sessionId, _time.GetUtcNow(), cancellationToken);
        return session?.ToDeviceSession(null);
    }

    /// <inheritdoc />
    public virtual Task RecordClientAsync(string sessionId, string clientId, CancellationToken cancellationToken = default) =>
        _store.AddClientAsync(sessionId, clientId, cancellationToken);

    /// <inheritdoc />
    public virtual async Task<IReadOnlyList<UserDeviceSession>> ListUserSessionsAsync(string userId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        var rows = await _store.ListUserSessionsAsync(userId, _time.GetUtcNow(), cancellationToken);
        return rows.Select(r => new UserDeviceSession
        {
            SessionId = r.Session.Id,
            UserId = r.Session.UserId,
            Browser = r.Session.Browser,
            OperatingSystem = r.Session.OperatingSystem,
            IpAddress = r.Session.IpAddress,
            AuthenticatedAt = r.Session.AuthenticatedAt,
            CreatedAt = r.Session.CreatedAt,
            LastSeenAt = r.Session.LastSeenAt,
            ExpiresAt = r.Session.ExpiresAt,
            ClientIds = r.ClientIds,
        }).ToList();
    }

    /// <inheritdoc />
    public virtual async Task<bool> RevokeUserSessionAsync(string userId, string sessionId, SessionEndReason reason, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        if (!DeviceSecret.IsWellFormedId(sessionId))
        {
            return false;
        }

        var ended = await _store.RevokeUserSessionAsync(userId, sessionId, cancellationToken);
        if (ended is null)
        {
            return false;
        }

        Log.UserSessionRevoked(_logger, userId, ended.Id, ended.DeviceId, reason);
        await EndedAsync([ended.ToEndedSession()], reason, null, null, cancellationToken);
        return true;
    }

    /// <inheritdoc />
    public virtual async Task<int> RevokeOtherSessionsAsync(string userId, string keptSessionId, SessionEndReason reason, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentException.ThrowIfNullOrEmpty(keptSessionId);
        var ended = await _store.RevokeUserSessionsExceptAsync(userId, keptSessionId, cancellationToken);
        await EndedAsync(ended.Select(DeviceSessionMapping.ToEndedSession).ToList(), reason, null, null, cancellationToken);

        Log.OtherSessionsRevoked(_logger, userId, keptSessionId, ended.Count, reason);
        return ended.Count;
    }

    /// <summary>
    /// Revokes what an OIDC engine issued through sessions that just ended, when an engine integration registered an
    /// <see cref="ISessionTokenRevoker"/>. A failure is logged, not thrown: the sessions have ended, and their tokens are
    /// refused at the token, userinfo and introspection endpoints whatever happens here.
    /// </summary>
    private async Task RevokeTokensAsync(Func<ISessionTokenRevoker, Task<int>> revoke)
    {
        if (_services.GetService<ISessionTokenRevoker>() is not { } revoker)
        {
            return;
        }

        try
        {
            await revoke(revoker);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            Log.SessionTokenRevocationFailed(_logger, exception.GetType().Name, exception);
        }
    }

    /// <summary>Raises the revocation events of sessions whose end the store has committed.</summary>
    private async Task RaiseEndedAsync(IReadOnlyList<EndedSession> ended, SessionEndReason reason, HttpContext? context, string? clientId = null)
    {
        if (ended.Count > 0 && Events is { } events)
        {
            await events.RevokedAsync(_services, context, ended, reason, clientId);
        }
    }

    /// <summary>
    /// After the store committed the end of <paramref name="ended"/>: revokes what the OIDC engine issued through them, then
    /// raises their revocation events (on behalf of <paramref name="clientId"/> when a client asked). Nothing when none ended.
    /// </summary>
    private async Task EndedAsync(IReadOnlyList<EndedSession> ended, SessionEndReason reason, HttpContext? context, string? clientId, CancellationToken cancellationToken)
    {
        if (ended.Count == 0)
        {
            return;
        }

        await RevokeTokensAsync(revoker => revoker.RevokeTokensOfSessionsAsync(ended, cancellationToken));
        await RaiseEndedAsync(ended, reason, context, clientId);
    }

    /// <summary>Logs and raises the end of a user's sessions created under an older security stamp; nothing when none ended.</summary>
    private async Task RaiseStampEndedAsync(string userId, IReadOnlyList<EndedSession> ended, HttpContext? context)
    {
        if (ended.Count > 0)
        {
            Log.SecurityStampRejected(_logger, userId, ended.Count);
            await RaiseEndedAsync(ended, SessionEndReason.SecurityStamp, context);
        }
    }

    /// <summary>Raises the revocation event of one session when the store reported it removed (<paramref name="removed"/> &gt; 0).</summary>
    private Task RaiseEndedAsync(int removed, StoredDeviceSession session, SessionEndReason reason, HttpContext? context) =>
        removed > 0
            ? RaiseEndedAsync([session.ToEndedSession()], reason, context)
            : Task.CompletedTask;

    /// <summary>
    /// <c>true</c> when the switch policy asks <paramref name="session"/> to authenticate again before it is switched to: the
    /// policy is on (<see cref="MultiSessionOptions.ReauthenticateAfter"/>), the session's last authentication is older than
    /// that, and its stored principal satisfies the authorization policy <see cref="MultiSessionOptions.ReauthenticationPolicy"/>
    /// (an unreadable principal counts as named).
    /// </summary>
    protected virtual async Task<bool> RequiresReauthenticationAsync(StoredDeviceSession session, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        var options = Options;
        if (options.ReauthenticateAfter is not { } after || now - session.AuthenticatedAt <= after)
        {
            return false;
        }

        var principal = ReadTicket(session, out _);
        return principal is null || await IsNamedBySwitchPolicyAsync(principal, options.ReauthenticationPolicy, cancellationToken);
    }

    /// <summary>
    /// <c>true</c> when <paramref name="principal"/> (an account's stored principal) satisfies the authorization policy named
    /// <paramref name="policyName"/>. A policy the host has not defined names every account.
    /// </summary>
    protected virtual async Task<bool> IsNamedBySwitchPolicyAsync(ClaimsPrincipal principal, string policyName, CancellationToken cancellationToken)
    {
        var policies = _services.GetService<IAuthorizationPolicyProvider>();
        var authorization = _services.GetService<IAuthorizationService>();
        var policy = policies is null ? null : await policies.GetPolicyAsync(policyName);
        if (policy is null || authorization is null)
        {
            Log.ReauthenticationPolicyMissing(_logger, policyName);
            return true;
        }

        return (await authorization.AuthorizeAsync(principal, resource: null, policy)).Succeeded;
    }

    private async Task<HashSet<string>?> FindSwitchPolicyStaleAsync(IReadOnlyList<StoredDeviceSession> sessions, string? activeId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (Options.ReauthenticateAfter is null)
        {
            return null;
        }

        var stale = new HashSet<string>(StringComparer.Ordinal);
        foreach (var session in sessions)
        {
            if (session.Id != activeId && await RequiresReauthenticationAsync(session, now, cancellationToken))
            {
                stale.Add(session.Id);
            }
        }

        return stale;
    }

    /// <summary>
    /// Makes the device's most recently used session that the switch policy lets become active as it is the active one; when
    /// every remaining session must authenticate again first, the device has no active session until one is chosen.
    /// </summary>
    private async Task<StoredDeviceSession?> ActivateMostRecentAllowedAsync(string hash, StoredDevice device, DateTimeOffset now, CancellationToken cancellationToken, DeviceSessionList? list = null)
    {
        list ??= await _store.ListAsync(hash, now, cancellationToken);
        foreach (var candidate in list.Sessions)
        {
            if (!await RequiresReauthenticationAsync(candidate, now, cancellationToken))
            {
                return await _store.SetActiveAsync(hash, candidate.Handle, now, cancellationToken);
            }
        }

        if (device.ActiveSessionId is not null)
        {
            await _store.ClearActiveSessionAsync(device.Id, cancellationToken);
            if (list.Sessions.Count > 0)
            {
                Log.NoActiveAccount(_logger, device.Id);
            }
        }

        return null;
    }

    /// <summary>The sliding expiry from <paramref name="now"/>, capped by the absolute expiry.</summary>
    protected static DateTimeOffset ComputeExpiry(DateTimeOffset now, DateTimeOffset? absolute, MultiSessionOptions options)
    {
        var sliding = now + options.SlidingExpiration;
        return absolute is { } cap && cap < sliding ? cap : sliding;
    }

    private string? ReadDeviceSecret(HttpContext context) => context.Request.Cookies[Options.CookieName!];

    private string? ReadDeviceHash(HttpContext context) => DeviceSecret.TryHash(ReadDeviceSecret(context));

    private void AppendDeviceCookie(HttpContext context, string secret, DateTimeOffset expires)
    {
        var options = Options;
        context.Response.Cookies.Append(options.CookieName!, secret, CreateCookieOptions(context, options, expires));
    }

    private void DeleteDeviceCookie(HttpContext context)
    {
        var options = Options;
        context.Response.Cookies.Delete(options.CookieName!, CreateCookieOptions(context, options, null));
    }

    private static CookieOptions CreateCookieOptions(HttpContext context, MultiSessionOptions options, DateTimeOffset? expires) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Lax,
        Path = "/",
        IsEssential = true,
        Secure = options.CookieSecurePolicy switch
        {
            CookieSecurePolicy.Always => true,
            CookieSecurePolicy.None => false,
            _ => context.Request.IsHttps,
        },
        Expires = expires,
    };

    private bool IsCheckDue(StoredDeviceSession session, DateTimeOffset now) =>
        now - session.LastValidatedAt >= Options.SecurityStampValidationInterval;

    private IMultiSessionUserValidator GetUserValidator() =>
        _services.GetService<IMultiSessionUserValidator>() ?? NoUserStore.Instance;

    /// <summary>
    /// Checks the session's recorded security stamp against the user's current one. A session created under an older stamp
    /// ends, together with the user's other old-stamp sessions on every device (sessions created since the change stay); a user
    /// who can no longer sign in loses every session. Returns the principal to use, or <c>null</c>. With
    /// <paramref name="refresh"/> the principal is rebuilt from the user store and stored again with the check's time; without
    /// it only the stamp is compared and nothing is written.
    /// </summary>
    private async Task<ClaimsPrincipal?> CheckStampAsync(StoredDeviceSession session, ClaimsPrincipal? principal, DateTimeOffset now, CancellationToken cancellationToken, bool refresh = true)
    {
        var stored = session.SecurityStampHash;
        if (stored is null || principal is null)
        {
            principal ??= ReadTicket(session, out _);
            if (principal is null)
            {
                var removed = await _store.RemoveSessionAsync(session.Id, cancellationToken);
                Log.TicketUnreadable(_logger, session.DeviceId, session.Id);
                await RaiseEndedAsync(removed, session, SessionEndReason.Unreadable, null);
                return null;
            }

            stored ??= StampHashOf(principal);
        }

        var check = await GetUserValidator().CheckAsync(session.UserId, createPrincipal: refresh, cancellationToken);
        if (!check.CanSignIn)
        {
            await RaiseStampEndedAsync(session.UserId, await _store.EndUserSessionsAsync(session.UserId, staleOnly: false, currentStampHash: null, cancellationToken), null);
            return null;
        }

        if (check.SecurityStampHash is not null && !string.Equals(check.SecurityStampHash, stored, StringComparison.Ordinal))
        {
            // This session predates the user's current stamp. Only sessions recorded under another stamp end (this one
            // included, and rows of earlier versions that recorded none): a session created after the change (a new sign-in
            // on a phone) is untouched.
            await RaiseStampEndedAsync(session.UserId, await _store.EndUserSessionsAsync(session.UserId, staleOnly: true, check.SecurityStampHash, cancellationToken), null);
            return null;
        }

        if (!refresh)
        {
            return principal;
        }

        var fresh = check.Principal is null ? principal : KeepAuthenticationMethods(check.Principal, principal);
        var hash = check.SecurityStampHash ?? stored;
        await _store.UpdateTicketAsync(session.Id, Protect(Serialize(fresh)), hash, now, cancellationToken);
        return fresh;
    }

    private static ClaimsPrincipal KeepAuthenticationMethods(ClaimsPrincipal fresh, ClaimsPrincipal stored)
    {
        // As Identity's own validator does: how the user authenticated is not in the user store; keep it.
        if (fresh.Identity is ClaimsIdentity identity)
        {
            foreach (var claim in stored.FindAll(c => c.Type is ClaimTypes.AuthenticationMethod or "amr"))
            {
                if (!identity.HasClaim(claim.Type, claim.Value))
                {
                    identity.AddClaim(new Claim(claim.Type, claim.Value, claim.ValueType, claim.Issuer));
                }
            }
        }

        return fresh;
    }

    private string? StampHashOf(ClaimsPrincipal principal)
    {
        var type = _services.GetService<IOptions<IdentityOptions>>()?.Value.ClaimsIdentity.SecurityStampClaimType ?? "AspNet.Identity.SecurityStamp";
        return SecurityStampHash.Of(principal.FindFirst(type)?.Value);
    }

    private byte[] Protect(byte[] serialized) => _tickets.Protect(serialized);

    private static byte[] Serialize(ClaimsPrincipal principal)
    {
        // Claims of the multi-session layer are added afresh on each request; never store stale ones.
        var identities = principal.Identities.Select(identity =>
        {
            var copy = identity.Clone();
            foreach (var claim in copy.FindAll(c => c.Type is MultiSessionDefaults.SessionIdClaimType or MultiSessionDefaults.AuthenticationTimeClaimType).ToList())
            {
                copy.RemoveClaim(claim);
            }

            return copy;
        });
        var ticket = new AuthenticationTicket(new ClaimsPrincipal(identities), IdentityConstants.ApplicationScheme);
        return TicketSerializer.Default.Serialize(ticket);
    }

    /// <summary>
    /// Reads a stored principal: unprotected, or, for a row of an earlier version (plain serializer bytes), as it is
    /// (<paramref name="plain"/>, so that the caller stores it protected). <c>null</c> when it cannot be unprotected or read.
    /// </summary>
    private ClaimsPrincipal? ReadTicket(StoredDeviceSession session, out bool plain)
    {
        plain = session.Ticket.AsSpan().StartsWith(PlainTicketHeader);
        try
        {
            var bytes = plain ? session.Ticket : _tickets.Unprotect(session.Ticket);
            return TicketSerializer.Default.Deserialize(bytes)?.Principal;
        }
        catch (Exception exception) when (exception is CryptographicException or FormatException or EndOfStreamException or ArgumentException or InvalidOperationException or OverflowException)
        {
            return null;
        }
    }

    private static void AddSessionClaims(ClaimsPrincipal principal, StoredDeviceSession session)
    {
        if (principal.Identity is ClaimsIdentity identity)
        {
            foreach (var claim in identity.FindAll(c => c.Type is MultiSessionDefaults.SessionIdClaimType or MultiSessionDefaults.AuthenticationTimeClaimType).ToList())
            {
                identity.RemoveClaim(claim);
            }

            identity.AddClaim(new Claim(MultiSessionDefaults.SessionIdClaimType, session.Id));
            identity.AddClaim(new Claim(
                MultiSessionDefaults.AuthenticationTimeClaimType,
                session.AuthenticatedAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
                ClaimValueTypes.Integer64));
        }
    }

    /// <summary>Used when no user store is registered: stamps cannot be checked, every user may sign in.</summary>
    private sealed class NoUserStore : IMultiSessionUserValidator
    {
        public static readonly NoUserStore Instance = new();

        public Task<MultiSessionUserCheck> CheckAsync(string userId, bool createPrincipal, CancellationToken cancellationToken = default) =>
            Task.FromResult(new MultiSessionUserCheck(true, null, null));
    }

    private static string? JoinAuthenticationMethods(ClaimsPrincipal principal)
    {
        var methods = string.Join(' ', principal.FindAll(MultiSessionDefaults.AuthenticationMethodsClaimType)
            .Select(c => c.Value)
            .Where(v => v.Length is > 0 and <= 32 && !v.Contains(' ', StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal));
        return methods.Length is 0 or > 200 ? null : methods;
    }

    private static string? Truncate(string? value) => value is { Length: > 256 } ? value[..256] : value;
}
