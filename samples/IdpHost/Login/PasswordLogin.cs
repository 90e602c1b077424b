using IdpHost.Identity;
using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using IdpHost.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace IdpHost.Login;

/// <summary>
/// One password sign-in attempt of the login page, built so that it tells an attacker nothing: exactly one password-hash
/// verification per attempt whether the account exists, is locked, may not sign in or not (an unknown or locked account is
/// verified against a fixed dummy hash), one message for every failure, and an escalating lockout per account
/// (<see cref="LockoutEscalationOptions"/>).
/// </summary>
public sealed class PasswordLogin(
    UserManager<ApplicationUser> users,
    SignInManager<ApplicationUser> signIn,
    IPasswordHasher<ApplicationUser> hasher,
    IOptions<LockoutEscalationOptions> lockout,
    TimeProvider time)
{
    private const string TokenProvider = "IdpHost.Lockout";
    private const string LevelToken = "Escalation";
    private static readonly ApplicationUser DummyUser = new() { UserName = "dummy" };
    private static readonly Lock DummyLock = new();
    private static string? _dummyHash;

    /// <summary>The longest user name or email looked up; longer input is treated as an unknown account.</summary>
    public const int MaximumUserNameLength = 256;

    /// <summary>
    /// Checks the password of <paramref name="userName"/> (a user name or an email) and signs the account in when it is right,
    /// or, for an account with two-factor sign-in on, starts its second factor (unless this browser is remembered for it).
    /// The user id is given when the password was right.
    /// </summary>
    public async Task<(PasswordLoginOutcome Outcome, string? UserId)> SignInAsync(string? userName, string? password, bool isPersistent)
    {
        var (failure, user) = await CheckAsync(userName, password);
        if (failure is { } outcome)
        {
            return (outcome, outcome == PasswordLoginOutcome.NotAllowed ? user!.Id : null);
        }

        if (users.SupportsUserTwoFactor && await users.GetTwoFactorEnabledAsync(user!))
        {
            // Identity's own step after a password: sign in when this browser is remembered for this account, else start
            // the second factor. Without the multi-account sign-in manager there is no second-factor page to go to.
            if (signIn is not MultiAccountSignInManager twoFactor)
            {
                return (PasswordLoginOutcome.NotAllowed, user!.Id);
            }

            var result = await twoFactor.SignInOrStartTwoFactorAsync(user!, isPersistent);
            return (result.Succeeded ? PasswordLoginOutcome.SignedIn : result.RequiresTwoFactor ? PasswordLoginOutcome.RequiresTwoFactor : PasswordLoginOutcome.NotAllowed, user!.Id);
        }

        await signIn.SignInWithClaimsAsync(user!, isPersistent, [new Claim("amr", "pwd")]);
        return (PasswordLoginOutcome.SignedIn, user!.Id);
    }

    /// <summary>
    /// Checks the password of <paramref name="userName"/> as <see cref="SignInAsync"/> does (one hash verification, the
    /// escalating lockout, one answer for every failure) without signing anyone in: the failure, or <c>null</c> and the
    /// account when the password was right and the account may sign in. The account is also given for
    /// <see cref="PasswordLoginOutcome.NotAllowed"/>. Used where a user proves they own an account (linking an external login).
    /// </summary>
    public async Task<(PasswordLoginOutcome? Failure, ApplicationUser? User)> CheckAsync(string? userName, string? password)
    {
        var name = userName?.Trim() ?? string.Empty;
        password ??= string.Empty;
        var user = name.Length is 0 or > MaximumUserNameLength
            ? null
            : name.Contains('@', StringComparison.Ordinal) ? await users.FindByEmailAsync(name) : await users.FindByNameAsync(name);
        if (user is null)
        {
            VerifyDummy(password);
            return (PasswordLoginOutcome.UnknownUser, null);
        }

        var now = time.GetUtcNow();
        if (await IsLockedOutAsync(user, now))
        {
            VerifyDummy(password);
            return (PasswordLoginOutcome.LockedOut, null);
        }

        if (!await users.HasPasswordAsync(user))
        {
            VerifyDummy(password);
            return (PasswordLoginOutcome.WrongPassword, null);
        }

        if (!await users.CheckPasswordAsync(user, password))
        {
            await RecordFailureAsync(user, now);
            return (PasswordLoginOutcome.WrongPassword, null);
        }

        // Checked after the password, so that these answers cost the same as the others.
        if (!await signIn.CanSignInAsync(user))
        {
            return (PasswordLoginOutcome.NotAllowed, user);
        }

        if (users.SupportsUserLockout && await users.GetAccessFailedCountAsync(user) > 0)
        {
            await users.ResetAccessFailedCountAsync(user);
        }

        return (null, user);
    }

    private async Task<bool> IsLockedOutAsync(ApplicationUser user, DateTimeOffset now) =>
        users.SupportsUserLockout
        && await users.GetLockoutEnabledAsync(user)
        && await users.GetLockoutEndDateAsync(user) is { } end
        && end > now;

    private async Task RecordFailureAsync(ApplicationUser user, DateTimeOffset now)
    {
        if (!users.SupportsUserLockout || !await users.GetLockoutEnabledAsync(user))
        {
            return;
        }

        var options = lockout.Value;
        var failures = await users.GetAccessFailedCountAsync(user) + 1;
        if (failures < options.MaxFailedAttempts)
        {
            await users.AccessFailedAsync(user);
            return;
        }

        // The account is locked: for longer each time it is locked again soon after the last lockout ended.
        var level = 1;
        var previous = await users.GetAuthenticationTokenAsync(user, TokenProvider, LevelToken);
        if (previous?.Split('|') is [var levelText, var endText]
            && int.TryParse(levelText, NumberStyles.None, CultureInfo.InvariantCulture, out var previousLevel)
            && long.TryParse(endText, NumberStyles.None, CultureInfo.InvariantCulture, out var previousEnd)
            && now - DateTimeOffset.FromUnixTimeMilliseconds(previousEnd) < options.ResetAfter)
        {
            level = Math.Min(previousLevel + 1, 30);
        }

        var end = now + options.LockoutFor(level);
        await users.SetLockoutEndDateAsync(user, end);
        await users.ResetAccessFailedCountAsync(user);
        await users.SetAuthenticationTokenAsync(user, TokenProvider, LevelToken,
            string.Create(CultureInfo.InvariantCulture, $"{level}|{end.ToUnixTimeMilliseconds()}"));
    }

    private void VerifyDummy(string password)
    {
        // The same hasher, with the same settings, as a real account: the dummy hash is made once with them.
        string hash;
        lock (DummyLock)
        {
            hash = _dummyHash ??= hasher.HashPassword(DummyUser, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        }

        hasher.VerifyHashedPassword(DummyUser, hash, password);
    }
}
