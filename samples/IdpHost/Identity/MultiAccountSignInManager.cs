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
/// <c>otp</c> (authenticator app). A refresh of the sign-in (<see cref="RefreshSignInAsync"/>) keeps them.</item>
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

    private string? _secondFactor;
    private bool _refreshing;

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
        if (_refreshing)
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

    private async Task<List<ClaimsIdentity>> ReadRememberedAsync()
    {
        var result = await Context.AuthenticateAsync(IdentityConstants.TwoFactorRememberMeScheme);
        return result.Principal?.Identities.Where(i => !string.IsNullOrEmpty(i.Name)).ToList() ?? [];
    }

    private Task WriteRememberedAsync(List<ClaimsIdentity> remembered) => remembered.Count == 0
        ? Context.SignOutAsync(IdentityConstants.TwoFactorRememberMeScheme)
        : Context.SignInAsync(IdentityConstants.TwoFactorRememberMeScheme, new ClaimsPrincipal(remembered), new AuthenticationProperties { IsPersistent = true });
}
