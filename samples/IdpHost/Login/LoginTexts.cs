namespace IdpHost.Login;

/// <summary>
/// The user-visible texts of the login page's failures and of the sign-in rate limit, in one place: each is also the key of
/// its translations in <c>Resources/SampleText*.resx</c> (the login page looks its messages up by their English text).
/// </summary>
public static class LoginTexts
{
    /// <summary>
    /// The one message for every failed sign-in: unknown account, wrong password, locked out or not allowed to sign in. One
    /// message for all of them, so that the page does not tell an attacker which accounts exist or are locked.
    /// </summary>
    public const string Failed = "The email, user name or password is not correct, or this account cannot sign in right now. Try again later.";

    /// <summary>The title of the page answered with 429 when one address sent too many sign-in attempts.</summary>
    public const string RateLimitedTitle = "Too many sign-in attempts";

    /// <summary>The text of that page; <c>{0}</c> is the number of seconds to wait.</summary>
    public const string RateLimitedText = "Too many sign-in attempts came from your network. Wait {0} seconds, then try again.";

    /// <summary>The link back to the login page on that page.</summary>
    public const string RateLimitedBack = "Back to sign-in";
}
