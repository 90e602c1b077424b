namespace IdentityServer.MultiSession.BrowserTests.Infrastructure;

/// <summary>
/// The passkey tests' IdP, client app and Chromium: the IdP on <c>http://localhost:{port}</c> (WebAuthn refuses IP-address
/// origins, and <c>localhost</c> is a secure context without TLS) and the client app on <c>http://127.0.0.1:{port}</c>.
/// </summary>
public sealed class PasskeyBrowserFixture : BrowserFixture
{
    /// <inheritdoc />
    protected override bool IdpOnLocalhost => true;
}

/// <summary>The collection of the passkey browser tests, which share <see cref="PasskeyBrowserFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class PasskeyBrowserCollection : ICollectionFixture<PasskeyBrowserFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Passkey browser";
}
