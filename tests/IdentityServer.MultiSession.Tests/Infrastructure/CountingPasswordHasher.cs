using IdpHost.Data;
using Microsoft.AspNetCore.Identity;

namespace IdentityServer.MultiSession.Tests.Infrastructure;

/// <summary>Counts password-hash verifications (shared by every scope of one host).</summary>
public sealed class PasswordHashCounter
{
    private int _verifications;

    public int Verifications => Volatile.Read(ref _verifications);

    public void Increment() => Interlocked.Increment(ref _verifications);
}

/// <summary>The host's real password hasher, counting each verification.</summary>
public sealed class CountingPasswordHasher(IPasswordHasher<ApplicationUser> inner, PasswordHashCounter counter) : IPasswordHasher<ApplicationUser>
{
    public string HashPassword(ApplicationUser user, string password) => inner.HashPassword(user, password);

    public PasswordVerificationResult VerifyHashedPassword(ApplicationUser user, string hashedPassword, string providedPassword)
    {
        counter.Increment();
        return inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
    }
}
