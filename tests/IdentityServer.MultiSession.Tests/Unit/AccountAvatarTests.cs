using IdentityServer.MultiSession.Sessions;

namespace IdentityServer.MultiSession.Tests.Unit;

/// <summary>Avatars: a stable colour per account from the user id, distinct among the accounts of one list.</summary>
public sealed class AccountAvatarTests
{
    private static DeviceSession Account(string userId, string name = "Alice") => new()
    {
        SessionId = "s-" + userId,
        SessionToken = "t-" + userId,
        UserId = userId,
        DisplayName = name,
    };

    [Fact]
    public void An_accounts_colour_depends_on_its_user_id_alone()
    {
        var account = Account("3f1c0b9e-4f8e-4a0c-9b43-2f0c1d9e7a11");
        Assert.Equal(AccountAvatar.ColourClass(account), AccountAvatar.ColourClass(Account(account.UserId, "Someone else")));
        Assert.Matches("^ms-avatar-[0-7]$", AccountAvatar.ColourClass(account));
    }

    [Fact]
    public void Up_to_eight_accounts_listed_together_all_get_different_colours_whatever_their_order()
    {
        var accounts = Enumerable.Range(0, 8).Select(i => Account($"user-{i}")).ToList();
        var colours = accounts.Select(a => AccountAvatar.ColourClass(a, accounts)).ToList();
        Assert.Equal(8, colours.Distinct().Count());

        var reversed = Enumerable.Reverse(accounts).ToList();
        Assert.Equal(colours, accounts.Select(a => AccountAvatar.ColourClass(a, reversed)));
    }

    [Fact]
    public void Two_accounts_whose_hashes_collide_are_told_apart_in_a_list()
    {
        var first = Account("collide-0");
        var second = Enumerable.Range(1, 1000).Select(i => Account($"collide-{i}"))
            .First(a => AccountAvatar.ColourIndex(a.UserId) == AccountAvatar.ColourIndex(first.UserId));
        Assert.Equal(AccountAvatar.ColourClass(first), AccountAvatar.ColourClass(second));
        Assert.NotEqual(AccountAvatar.ColourClass(first, [first, second]), AccountAvatar.ColourClass(second, [first, second]));
    }

    [Theory]
    [InlineData("alice", "A")]
    [InlineData("  émile", "É")]
    [InlineData("", "?")]
    public void The_avatar_letter_is_the_first_letter_of_the_name_in_upper_case(string name, string initial) =>
        Assert.Equal(initial, AccountAvatar.Initial(Account("u", name)));
}
