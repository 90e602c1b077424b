using System.Security.Claims;
using IdpHost.Identity;

namespace IdentityServer.MultiSession.Tests.Unit;

/// <summary>The RFC 8176 methods the sample derives from the claims Identity passes to its sign-in.</summary>
public sealed class AuthenticationMethodsTests
{
    [Fact]
    public void A_password_sign_in_is_pwd()
    {
        Assert.Equal(["pwd"], AuthenticationMethods.FromIdentityClaims([new Claim("amr", "pwd")], secondFactor: null));
    }

    [Fact]
    public void A_second_factor_after_a_password_is_pwd_mfa_and_the_factors_method()
    {
        Assert.Equal(["pwd", "mfa", "otp"], AuthenticationMethods.FromIdentityClaims([new Claim("amr", "mfa")], AuthenticationMethods.OneTimePassword));
        Assert.Equal(["pwd", "mfa"], AuthenticationMethods.FromIdentityClaims([new Claim("amr", "mfa")], secondFactor: null));
    }

    [Fact]
    public void An_external_provider_is_fed_and_its_second_factor_adds_mfa()
    {
        Assert.Equal(["fed"], AuthenticationMethods.FromIdentityClaims([new Claim(ClaimTypes.AuthenticationMethod, "Upstream")], secondFactor: null));
        Assert.Equal(
            ["fed", "mfa", "otp"],
            AuthenticationMethods.FromIdentityClaims([new Claim("amr", "mfa"), new Claim(ClaimTypes.AuthenticationMethod, "Upstream")], AuthenticationMethods.OneTimePassword));
    }

    [Fact]
    public void A_sign_in_without_any_method_claim_counts_as_a_password()
    {
        Assert.Equal(["pwd"], AuthenticationMethods.FromIdentityClaims([], secondFactor: null));
    }
}
