using System.Security.Claims;
using IdpHost.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace IdpHost.Identity;

/// <summary>
/// Identity's <see cref="SignInManager{TUser}"/> for a browser that holds several accounts:
/// <list type="bullet">
/// <item>"Remember this browser" is kept per account. Identity's <c>Identity.TwoFactorRememberMe</c> cookie holds one user, so
/// remembering bob would forget alice; here its principal holds one identity per remembered account (user id and security
/// stamp), remembering adds or renews one account's entry, and the check asks for the account signing in, with its current
/// stamp (a password change forgets that account only).</item>
/// <item>The authentication methods of each sign-in are recorded as RFC 8176 <c>amr</c> claims on the principal that the
/// multi-session library stores with the device session: <c>pwd</c>, <c>fed</c> (external provider), <c>mfa</c> and
/// <c>otp</c> (authenticator app), and for a passkey <c>hwk</c> or <c>swk</c> with <c>mfa</c>
/// (<see cref="AuthenticationMethods.FromPasskey"/>), never Identity's <c>pwd</c>. A refresh of the sign-in
/// (<see cref="RefreshSignInAsync"/>) keeps them.</item>
/// <item>Passkey ceremonies are pending attempts of <see cref="PendingTwoFactorAuthenticationHandler"/>, each named by its own
/// id (<see cref="PasskeyCeremony"/>), so that ceremonies in two tabs do not overwrite each other; a passkey sign-in checks
/// the browser's limit after the authenticator answered and before anything is written
/// (<see cref="SignInWithPasskeyAsync"/>).</item>
/// </list>
/// </summary>
public sealed class MultiAccountSignInManager(
    UserManager<ApplicationUser> userManager,
    IHttpContextAccessor contextAccessor,
    IUserClaimsPrincipalFactory<ApplicationUser> claimsFactory,
    IOptions<IdentityOptions> optionsAccessor,
    ILogger<SignInManager<ApplicationUser>> logger,
    IAuthenticationSchemeProvider schemes,
    IUserConfirmation<ApplicationUser> confirmation)
    : SignInManager<ApplicationUser>(userManager, contextAccessor, claimsFactory, optionsAccessor, logger, schemes, confirmation)
{
    /// <summary>At most this many accounts are remembered by one browser; the least recently remembered is forgotten first.</summary>
    public const int MaximumRememberedAccounts = 20;

    /// <summary>The longest authenticator answer (JSON) that is looked at; a longer one fails at once.</summary>
    public const int MaximumCredentialLength = 64 * 1024;

    private string? _secondFactor;
    private bool _refreshing;
    private IReadOnlyList<string>? _passkeyMethods;

    /// <summary>
    /// After the caller checked the password: signs <paramref name="user"/> in when this browser is remembered for that account,
    /// else starts its second factor (Identity's own step after a password, which is protected).
    /// </summary>
    public Task<SignInResult> SignInOrStartTwoFactorAsync(ApplicationUser user, bool isPersistent) =>
        SignInOrTwoFactorAsync(user, isPersistent);

    /// <inheritdoc />
    public override async Task<bool> IsTwoFactorClientRememberedAsync(ApplicationUser user)
    {
        var userId = await UserManager.GetUserIdAsync(user);
        if (Context.RequestServices.GetService<IdentityServer.MultiSession.Sessions.IDeviceSessionService>() is { } sessions
            && (await sessions.ListAsync(Context, Context.RequestAborted)).Any(s => s.UserId == userId && s.RequiresReauthentication))
        {
            // The switch policy asks this account to authenticate again with its strongest method: a remembered browser does
            // not stand in for the second factor then.
            return false;
        }

        var stamp = UserManager.SupportsUserSecurityStamp ? await UserManager.GetSecurityStampAsync(user) : null;
        return (await ReadRememberedAsync()).Any(identity => identity.Name == userId
            && (stamp is null || identity.FindFirst(Options.ClaimsIdentity.SecurityStampClaimType)?.Value == stamp));
    }

    /// <inheritdoc />
    public override async Task RememberTwoFactorClientAsync(ApplicationUser user)
    {
        var userId = await UserManager.GetUserIdAsync(user);
        var identity = new ClaimsIdentity(IdentityConstants.TwoFactorRememberMeScheme);
        identity.AddClaim(new Claim(ClaimTypes.Name, userId));
        if (UserManager.SupportsUserSecurityStamp)
        {
            identity.AddClaim(new Claim(Options.ClaimsIdentity.SecurityStampClaimType, await UserManager.GetSecurityStampAsync(user)));
        }

        var remembered = (await ReadRememberedAsync()).Where(i => i.Name != userId).ToList();
        remembered.Add(identity);
        await WriteRememberedAsync(remembered.Skip(Math.Max(0, remembered.Count - MaximumRememberedAccounts)).ToList());
    }

    /// <summary>Forgets this browser for <paramref name="user"/> only; the other remembered accounts stay remembered.</summary>
    public async Task ForgetTwoFactorClientAsync(ApplicationUser user)
    {
        var userId = await UserManager.GetUserIdAsync(user);
        await WriteRememberedAsync((await ReadRememberedAsync()).Where(i => i.Name != userId).ToList());
    }

    /// <inheritdoc />
    public override async Task<SignInResult> TwoFactorAuthenticatorSignInAsync(string code, bool isPersistent, bool rememberClient)
    {
        _secondFactor = AuthenticationMethods.OneTimePassword;
        try
        {
            return await base.TwoFactorAuthenticatorSignInAsync(code, isPersistent, rememberClient);
        }
        finally
        {
            _secondFactor = null;
        }
    }

    /// <summary>Starts a passkey sign-in (any account's passkey): the request options and the pending attempt's id.</summary>
    public async Task<PasskeyCeremony> StartPasskeySignInAsync()
    {
        var options = await MakePasskeyRequestOptionsAsync(null);
        return new PasskeyCeremony(options, PendingTwoFactorAuthenticationHandler.GetNewAttemptId(Context)!);
    }

    /// <summary>
    /// Signs in with the authenticator's answer to the ceremony <paramref name="attemptId"/>, through the same multi-session
    /// path as a password: the account is added to the browser and becomes active, the others stay. The browser's limit is
    /// checked once the account is known and before anything is written (the passkey's counter included). The user id is
    /// given when the passkey was verified.
    /// </summary>
    public async Task<(PasskeySignInOutcome Outcome, string? UserId)> SignInWithPasskeyAsync(string? credentialJson, string? attemptId)
    {
        var assertion = await VerifyPasskeyAsync(credentialJson, attemptId);
        if (assertion is null || !assertion.Succeeded)
        {
            return (PasskeySignInOutcome.Failed, null);
        }

        var user = assertion.User;
        var userId = await UserManager.GetUserIdAsync(user);
        if (await PreSignInCheck(user) is not null)
        {
            _passkeyMethods = null;
            return (PasskeySignInOutcome.Failed, userId);
        }

        if (await TwoFactorSignInFlow.IsRefusedByLimitAsync(Context, userId))
        {
            _passkeyMethods = null;
            return (PasskeySignInOutcome.LimitReached, userId);
        }

        if (!(await UserManager.AddOrUpdatePasskeyAsync(user, assertion.Passkey)).Succeeded)
        {
            _passkeyMethods = null;
            return (PasskeySignInOutcome.Failed, userId);
        }

        // A passkey is a sign-in of its own (Identity skips the second factor for it too); the methods are the passkey's.
        await SignInWithClaimsAsync(user, isPersistent: true, []);
        return (PasskeySignInOutcome.SignedIn, userId);
    }

    /// <summary>Starts adding a passkey to <paramref name="user"/>: the creation options and the pending attempt's id.</summary>
    public async Task<PasskeyCeremony> StartPasskeyRegistrationAsync(ApplicationUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var entity = new PasskeyUserEntity
        {
            Id = await UserManager.GetUserIdAsync(user),
            Name = user.Email ?? user.UserName ?? string.Empty,
            DisplayName = user.DisplayName ?? user.Email ?? user.UserName ?? string.Empty,
        };
        var options = await MakePasskeyCreationOptionsAsync(entity);
        return new PasskeyCeremony(options, PendingTwoFactorAuthenticationHandler.GetNewAttemptId(Context)!);
    }

    /// <summary>
    /// Verifies the authenticator's answer to the registration ceremony <paramref name="attemptId"/> and stores the passkey
    /// under <paramref name="name"/>, for <paramref name="user"/> only: a ceremony started for another account (another tab)
    /// stores nothing. <c>null</c> when nothing was stored.
    /// </summary>
    public async Task<UserPasskeyInfo?> AddPasskeyAsync(ApplicationUser user, string? credentialJson, string? attemptId, string name)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (string.IsNullOrEmpty(credentialJson) || credentialJson.Length > MaximumCredentialLength || string.IsNullOrEmpty(attemptId))
        {
            return null;
        }

        PendingTwoFactorAuthenticationHandler.SelectAttempt(Context, attemptId);
        PasskeyAttestationResult attestation;
        try
        {
            attestation = await PerformPasskeyAttestationAsync(credentialJson);
        }
        catch (InvalidOperationException)
        {
            // No registration pending under that id (expired, finished already, or a sign-in ceremony).
            return null;
        }

        if (!attestation.Succeeded || attestation.UserEntity.Id != await UserManager.GetUserIdAsync(user))
        {
            return null;
        }

        attestation.Passkey.Name = name;
        return (await UserManager.AddOrUpdatePasskeyAsync(user, attestation.Passkey)).Succeeded ? attestation.Passkey : null;
    }

    /// <inheritdoc />
    public override async Task<PasskeyAssertionResult<ApplicationUser>> PerformPasskeyAssertionAsync(string credentialJson)
    {
        // Also for Identity's own PasskeySignInAsync: the methods of the passkey just verified, for the sign-in that follows.
        var result = await base.PerformPasskeyAssertionAsync(credentialJson);
        _passkeyMethods = result.Succeeded ? AuthenticationMethods.FromPasskey(result.Passkey.IsBackupEligible, result.Passkey.IsUserVerified) : null;
        return result;
    }

    /// <inheritdoc />
    public override async Task RefreshSignInAsync(ApplicationUser user)
    {
        _refreshing = true;
        try
        {
            await base.RefreshSignInAsync(user);
        }
        finally
        {
            _refreshing = false;
        }
    }

    /// <inheritdoc />
    public override async Task SignInWithClaimsAsync(ApplicationUser user, AuthenticationProperties? authenticationProperties, IEnumerable<Claim> additionalClaims)
    {
        var claims = additionalClaims.ToList();
        IReadOnlyList<string> methods;
        if (_passkeyMethods is not null)
        {
            methods = _passkeyMethods;
            _passkeyMethods = null;
        }
        else if (_refreshing)
        {
            // Identity's refresh carries only the first amr claim over: carry them all, the sign-in is not a new authentication.
            var current = await Context.AuthenticateAsync(IdentityConstants.ApplicationScheme);
            methods = current.Principal?.FindAll(AuthenticationMethods.ClaimType).Select(c => c.Value).Distinct(StringComparer.Ordinal).ToList() ?? [];
        }
        else
        {
            methods = AuthenticationMethods.FromIdentityClaims(claims, _secondFactor);
        }

        claims.RemoveAll(c => c.Type == AuthenticationMethods.ClaimType);
        claims.AddRange(methods.Select(m => new Claim(AuthenticationMethods.ClaimType, m)));
        await base.SignInWithClaimsAsync(user, authenticationProperties, claims);
    }

    private async Task<PasskeyAssertionResult<ApplicationUser>?> VerifyPasskeyAsync(string? credentialJson, string? attemptId)
    {
        if (string.IsNullOrEmpty(credentialJson) || credentialJson.Length > MaximumCredentialLength || string.IsNullOrEmpty(attemptId))
        {
            return null;
        }

        PendingTwoFactorAuthenticationHandler.SelectAttempt(Context, attemptId);
        try
        {
            return await PerformPasskeyAssertionAsync(credentialJson);
        }
        catch (InvalidOperationException)
        {
            // No sign-in ceremony pending under that id (expired, finished already, or a registration).
            return null;
        }
    }

    private async Task<List<ClaimsIdentity>> ReadRememberedAsync()
    {
        var result = await Context.AuthenticateAsync(IdentityConstants.TwoFactorRememberMeScheme);
        return result.Principal?.Identities.Where(i => !string.IsNullOrEmpty(i.Name)).ToList() ?? [];
    }

    private Task WriteRememberedAsync(List<ClaimsIdentity> remembered) => remembered.Count == 0
        ? Context.SignOutAsync(IdentityConstants.TwoFactorRememberMeScheme)
        : Context.SignInAsync(IdentityConstants.TwoFactorRememberMeScheme, new ClaimsPrincipal(remembered), new AuthenticationProperties { IsPersistent = true });
}
