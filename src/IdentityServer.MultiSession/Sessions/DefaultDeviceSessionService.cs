using System.Globalization;
using System.Security.Claims;
using IdentityServer.MultiSession.Authentication;
using IdentityServer.MultiSession.Storage;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IdentityServer.MultiSession.Sessions;

/// <summary>
/// Default <see cref="IDeviceSessionService"/>: the session rules of SPEC §3 over an <see cref="IDeviceSessionStore"/>,
/// with the device cookie of SPEC §7 and time from <see cref="TimeProvider"/>.
/// </summary>
public class DefaultDeviceSessionService : IDeviceSessionService
{
    private readonly IDeviceSessionStore _store;
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
    /// Where the <see cref="IMultiSessionPrincipalValidator"/>s are resolved from, only when a security-stamp check is due.
    /// </param>
    public DefaultDeviceSessionService(
        IDeviceSessionStore store,
        IOptionsMonitor<MultiSessionOptions> options,
        TimeProvider time,
        ILogger<DefaultDeviceSessionService> logger,
        IServiceProvider services)
    {
        _store = store;
        _options = options;
        _time = time;
        _logger = logger;
        _services = services;
    }

    private MultiSessionOptions Options => _options.CurrentValue;

    /// <inheritdoc />
    public virtual async Task<IReadOnlyList<DeviceSession>> ListAsync(HttpContext context, CancellationToken cancellationToken = default)
    {
        var hash = ReadDeviceHash(context);
        if (hash is null)
        {
            return [];
        }

        var list = await _store.ListAsync(hash, _time.GetUtcNow(), cancellationToken);
        var activeId = list.ActiveSessionId;
        if (list.Sessions.Count > 0 && !list.Sessions.Any(s => s.Id == activeId))
        {
            // The active session ended (expired or revoked elsewhere): the most recently used one takes its place.
            activeId = list.Sessions[0].Id;
        }

        return list.Sessions.Select(s => s.ToDeviceSession(activeId)).ToList();
    }

    /// <inheritdoc />
    public virtual async Task<DeviceSessionTicket?> AuthenticateAsync(HttpContext context, string? sessionId, CancellationToken cancellationToken = default)
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
            session = await _store.ActivateMostRecentAsync(lookup.Device.Id, now, cancellationToken);
            activeId = session?.Id;
            if (session is null)
            {
                return null;
            }
        }

        var principal = Deserialize(session);
        var options = Options;

        // A security-stamp check, when due (SPEC §3.9): a user whose stamp changed loses every session on every device.
        var validate = now - session.LastValidatedAt >= options.SecurityStampValidationInterval;
        if (validate)
        {
            foreach (var validator in _services.GetServices<IMultiSessionPrincipalValidator>())
            {
                if (!await validator.ValidateAsync(principal, cancellationToken))
                {
                    var count = await _store.RevokeUserAsync(session.UserId, cancellationToken);
                    Log.SecurityStampRejected(_logger, session.UserId, count);
                    return null;
                }
            }
        }

        // Use of the session slides its expiry, written at most once per LastSeenUpdateInterval; one write records both.
        var touch = now - session.LastSeenAt >= options.LastSeenUpdateInterval;
        if (touch || validate)
        {
            if (touch)
            {
                session.LastSeenAt = now;
                session.ExpiresAt = ComputeExpiry(now, session.AbsoluteExpiresAt, options);
                AppendDeviceCookie(context, ReadDeviceSecret(context)!, session.ExpiresAt);
            }

            await _store.TouchAsync(session.Id, session.LastSeenAt, session.ExpiresAt, validate ? now : null, cancellationToken);
        }

        return new DeviceSessionTicket(session.ToDeviceSession(activeId), principal);
    }

    /// <inheritdoc />
    public virtual async Task<DeviceSession> SignInAsync(HttpContext context, ClaimsPrincipal principal, CancellationToken cancellationToken = default)
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
        var session = new DeviceSessionEntity
        {
            Id = DeviceSecret.CreateId(),
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
            Ticket = Serialize(principal),
            AuthenticationMethods = JoinAuthenticationMethods(principal),
        };

        var newSecret = DeviceSecret.Create();
        var newDevice = new DeviceEntity
        {
            Id = DeviceSecret.CreateId(),
            SecretHash = DeviceSecret.TryHash(newSecret)!,
            CreatedAt = now,
            LastSeenAt = now,
        };

        var currentHash = ReadDeviceHash(context);
        var result = await _store.SignInAsync(
            new DeviceSignInRequest(currentHash, newDevice, session, options.MaximumSessions, options.OnLimitReached, now),
            cancellationToken);

        if (result.LimitReached)
        {
            Log.LimitReached(_logger, options.MaximumSessions);
            throw new MultiSessionLimitReachedException(options.MaximumSessions);
        }

        var added = result.Session!;
        if (result.DeviceRotated)
        {
            AppendDeviceCookie(context, newSecret, added.ExpiresAt);
        }

        foreach (var evicted in result.EvictedSessionIds)
        {
            Log.Evicted(_logger, added.DeviceId, evicted);
        }

        Log.SignedIn(_logger, added.DeviceId, added.Id, userId);
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
        var session = await _store.SetActiveAsync(hash, sessionToken, now, cancellationToken);
        if (session is null)
        {
            return null;
        }

        // Switching to an account is a use of it: its sliding expiry moves on.
        session.ExpiresAt = ComputeExpiry(now, session.AbsoluteExpiresAt, Options);
        await _store.TouchAsync(session.Id, now, session.ExpiresAt, null, cancellationToken);

        Log.ActiveChanged(_logger, session.DeviceId, session.Id);
        return session.ToDeviceSession(session.Id);
    }

    /// <inheritdoc />
    public virtual async Task<bool> RevokeAsync(HttpContext context, string sessionToken, CancellationToken cancellationToken = default)
    {
        var hash = ReadDeviceHash(context);
        if (hash is null || !DeviceSecret.IsWellFormedId(sessionToken))
        {
            return false;
        }

        var revocation = await _store.RevokeAsync(hash, sessionToken, _time.GetUtcNow(), cancellationToken);
        if (revocation is null)
        {
            return false;
        }

        Log.Revoked(_logger, revocation.Revoked.DeviceId, revocation.Revoked.Id);
        if (revocation.DeviceRemoved)
        {
            DeleteDeviceCookie(context);
        }

        return true;
    }

    /// <inheritdoc />
    public virtual async Task<int> SignOutAsync(HttpContext context, CancellationToken cancellationToken = default)
    {
        var hash = ReadDeviceHash(context);
        var count = hash is null ? 0 : await _store.RevokeAllAsync(hash, cancellationToken);
        if (ReadDeviceSecret(context) is not null)
        {
            DeleteDeviceCookie(context);
        }

        Log.SignedOutAll(_logger, count);
        return count;
    }

    /// <inheritdoc />
    public virtual Task<int> RevokeUserSessionsAsync(string userId, CancellationToken cancellationToken = default) =>
        _store.RevokeUserAsync(userId, cancellationToken);

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

    private static ClaimsPrincipal Deserialize(DeviceSessionEntity session)
    {
        var ticket = TicketSerializer.Default.Deserialize(session.Ticket)
            ?? throw new InvalidOperationException($"The stored principal of session {session.Id} cannot be read.");
        var principal = ticket.Principal;
        if (principal.Identity is ClaimsIdentity identity)
        {
            identity.AddClaim(new Claim(MultiSessionDefaults.SessionIdClaimType, session.Id));
            identity.AddClaim(new Claim(
                MultiSessionDefaults.AuthenticationTimeClaimType,
                session.AuthenticatedAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
                ClaimValueTypes.Integer64));
        }

        return principal;
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
