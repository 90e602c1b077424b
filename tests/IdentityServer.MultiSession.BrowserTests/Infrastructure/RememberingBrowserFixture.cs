namespace IdentityServer.MultiSession.BrowserTests.Infrastructure;

/// <summary>
/// <see cref="BrowserFixture"/> with an IdP that remembers signed-out accounts (<c>MultiSession:RememberSignedOutAccounts</c>)
/// and lets RP-initiated logout end the hinted account alone (<c>MultiSession:EndSessionScope</c> = <c>HintedAccount</c>).
/// </summary>
public sealed class RememberingBrowserFixture : BrowserFixture
{
    /// <inheritdoc />
    protected override IReadOnlyDictionary<string, string?> IdpSettings { get; } = new Dictionary<string, string?>
    {
        ["MultiSession:RememberSignedOutAccounts"] = "true",
        ["MultiSession:EndSessionScope"] = "HintedAccount",
    };
}

/// <summary>The browser tests that run against <see cref="RememberingBrowserFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class RememberingBrowserCollection : ICollectionFixture<RememberingBrowserFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Remembering browser";
}
