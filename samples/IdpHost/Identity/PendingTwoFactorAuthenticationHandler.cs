using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace IdpHost.Identity;

/// <summary>
/// Serves Identity's <c>Identity.TwoFactorUserId</c> scheme (the state between the password and the second factor) so that
/// several pending two-factor sign-ins can live in one browser: Identity's own cookie holds one user, and a second tab's
/// password step would overwrite the first tab's. Here one protected cookie holds a short list of pending attempts, each
/// with a random attempt id; the page that asks for the second factor carries that id in its URL (<c>attempt=…</c>), and
/// authenticating the scheme returns the attempt it names. Signing the scheme in adds an attempt (and makes its id available
/// through <see cref="GetNewAttemptId"/>); signing out removes the named attempt, or every attempt when none is named.
/// The id alone is worth nothing: it is only looked up in this browser's own protected cookie.
/// <para>
/// Identity's passkey ceremonies keep their state in the same scheme (a nameless principal whose authentication properties
/// carry the state): each ceremony is an attempt of its own, with its properties' items kept, and a passkey ceremony never
/// replaces another pending attempt, so that passkey sign-ins started in two tabs (for different accounts, which the server
/// cannot tell apart before the authenticator answers) do not overwrite each other. The page carries the attempt id back.
/// </para>
/// </summary>
public sealed class PendingTwoFactorAuthenticationHandler(
    IOptionsMonitor<CookieAuthenticationOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder)
    : SignInAuthenticationHandler<CookieAuthenticationOptions>(options, logger, encoder)
{
    /// <summary>The query parameter (and form field) that names a pending attempt.</summary>
    public const string AttemptParameter = "attempt";

    /// <summary>At most this many attempts are kept; the oldest is forgotten first.</summary>
    public const int MaximumAttempts = 8;

    private const string AttemptClaimType = "idp:2fa_attempt";
    private const string ExpiresClaimType = "idp:2fa_expires";
    private const string ItemClaimPrefix = "idp:2fa_item:";
    private static readonly object NewAttemptKey = new();
    private static readonly object SelectedAttemptKey = new();

    /// <summary>The attempt id created by the scheme's sign-in during this request (Identity's password step), if any.</summary>
    public static string? GetNewAttemptId(HttpContext context) => context.Items[NewAttemptKey] as string;

    /// <summary>Names the attempt that this request continues, when it is not in the query string.</summary>
    public static void SelectAttempt(HttpContext context, string? attemptId) => context.Items[SelectedAttemptKey] = attemptId;

    /// <inheritdoc />
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var attemptId = SelectedAttempt();
        if (attemptId is null)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var attempt = ReadAttempts().FirstOrDefault(a => a.FindFirst(AttemptClaimType)?.Value == attemptId);
        if (attempt is null)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var identity = new ClaimsIdentity(
            attempt.Claims.Where(c => c.Type is not (AttemptClaimType or ExpiresClaimType) && !c.Type.StartsWith(ItemClaimPrefix, StringComparison.Ordinal)),
            Scheme.Name);
        var properties = new AuthenticationProperties();
        foreach (var item in attempt.Claims.Where(c => c.Type.StartsWith(ItemClaimPrefix, StringComparison.Ordinal)))
        {
            properties.Items[item.Type[ItemClaimPrefix.Length..]] = item.Value;
        }

        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), properties, Scheme.Name)));
    }

    /// <inheritdoc />
    protected override Task HandleSignInAsync(ClaimsPrincipal user, AuthenticationProperties? properties)
    {
        var source = user.Identities.First();
        var userId = source.Name;
        var attemptId = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(16));
        var expires = TimeProvider.GetUtcNow() + Options.ExpireTimeSpan;

        var identity = new ClaimsIdentity(source.Claims, Scheme.Name);
        identity.AddClaim(new Claim(AttemptClaimType, attemptId));
        identity.AddClaim(new Claim(ExpiresClaimType, expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)));
        foreach (var (key, value) in properties?.Items ?? new Dictionary<string, string?>())
        {
            // The state of Identity's passkey ceremonies (the authentication properties' items are otherwise not kept).
            if (value is not null && !key.StartsWith('.'))
            {
                identity.AddClaim(new Claim(ItemClaimPrefix + key, value));
            }
        }

        // The same account's earlier pending attempt is replaced: one pending second factor per account and browser. A passkey
        // ceremony names no account and replaces nothing.
        var attempts = ReadAttempts().Where(a => userId is null || a.Name != userId).ToList();
        attempts.Add(identity);
        Write(attempts.Skip(Math.Max(0, attempts.Count - MaximumAttempts)).ToList(), expires);
        Context.Items[NewAttemptKey] = attemptId;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    protected override Task HandleSignOutAsync(AuthenticationProperties? properties)
    {
        var attemptId = SelectedAttempt();
        var remaining = attemptId is null ? [] : ReadAttempts().Where(a => a.FindFirst(AttemptClaimType)?.Value != attemptId).ToList();
        Write(remaining, remaining.Count == 0 ? null : TimeProvider.GetUtcNow() + Options.ExpireTimeSpan);
        return Task.CompletedTask;
    }

    private string? SelectedAttempt()
    {
        var attemptId = Context.Items[SelectedAttemptKey] as string ?? Request.Query[AttemptParameter].ToString();
        return attemptId is { Length: > 0 and <= 64 } ? attemptId : null;
    }

    private List<ClaimsIdentity> ReadAttempts()
    {
        var cookie = Options.CookieManager.GetRequestCookie(Context, Options.Cookie.Name!);
        var ticket = string.IsNullOrEmpty(cookie) ? null : Options.TicketDataFormat.Unprotect(cookie);
        if (ticket is null)
        {
            return [];
        }

        var now = TimeProvider.GetUtcNow().ToUnixTimeSeconds();
        return ticket.Principal.Identities
            .Where(i => long.TryParse(i.FindFirst(ExpiresClaimType)?.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var expires) && expires > now)
            .ToList();
    }

    private void Write(List<ClaimsIdentity> attempts, DateTimeOffset? expires)
    {
        var cookieOptions = Options.Cookie.Build(Context);
        if (attempts.Count == 0)
        {
            if (Request.Cookies.ContainsKey(Options.Cookie.Name!))
            {
                Options.CookieManager.DeleteCookie(Context, Options.Cookie.Name!, cookieOptions);
            }

            return;
        }

        var ticket = new AuthenticationTicket(new ClaimsPrincipal(attempts), Scheme.Name);
        cookieOptions.Expires = expires;
        Options.CookieManager.AppendResponseCookie(Context, Options.Cookie.Name!, Options.TicketDataFormat.Protect(ticket), cookieOptions);
    }
}
