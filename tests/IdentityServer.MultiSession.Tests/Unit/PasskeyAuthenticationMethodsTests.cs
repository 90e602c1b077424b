using IdpHost.Identity;

namespace IdentityServer.MultiSession.Tests.Unit;

/// <summary>The RFC 8176 methods recorded for a passkey sign-in: the key's kind, then <c>mfa</c> when the user was verified.</summary>
public sealed class PasskeyAuthenticationMethodsTests
{
    [Theory]
    [InlineData(false, true, new[] { "hwk", "mfa" })]
    [InlineData(true, true, new[] { "swk", "mfa" })]
    [InlineData(false, false, new[] { "hwk" })]
    [InlineData(true, false, new[] { "swk" })]
    public void A_device_bound_key_is_hwk_a_synced_one_swk_and_user_verification_adds_mfa(bool backupEligible, bool userVerified, string[] expected) =>
        Assert.Equal(expected, AuthenticationMethods.FromPasskey(backupEligible, userVerified));

    [Fact]
    public void A_passkey_sign_in_never_claims_a_password()
    {
        foreach (var backupEligible in new[] { false, true })
        {
            foreach (var userVerified in new[] { false, true })
            {
                Assert.DoesNotContain(AuthenticationMethods.Password, AuthenticationMethods.FromPasskey(backupEligible, userVerified));
            }
        }
    }
}
