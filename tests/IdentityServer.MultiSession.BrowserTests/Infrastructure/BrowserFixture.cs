namespace IdentityServer.MultiSession.BrowserTests.Infrastructure;

/// <summary>
/// One IdP, one client app and one headless Chromium for every browser test. Each test opens its own browser context, which
/// is a device of its own (its own cookies), so tests do not see each other's accounts.
/// </summary>
public class BrowserFixture : IAsyncLifetime
{
    /// <summary>Extra configuration of the IdP; none here (a fixture with other options overrides it).</summary>
    protected virtual IReadOnlyDictionary<string, string?> IdpSettings { get; } = new Dictionary<string, string?>();

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    /// <summary>The IdP on Kestrel.</summary>
    public IdpServer Idp { get; private set; } = null!;

    /// <summary>The client app on Kestrel.</summary>
    public ClientServer Client { get; private set; } = null!;

    /// <summary>
    /// <c>true</c> to serve the IdP on <c>localhost</c> and the client app on <c>127.0.0.1</c> (the passkey tests: WebAuthn
    /// refuses IP-address origins); by default the IdP is on 127.0.0.1 and the client on localhost.
    /// </summary>
    protected virtual bool IdpOnLocalhost => false;

    /// <summary>The browser.</summary>
    public IBrowser Browser => _browser ?? throw new InvalidOperationException("The browser is not started.");

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        // First the browser's executable: without it the tests fail at once, with instructions.
        var chromium = Chromium.Locate();

        Exception? last = null;
        for (var attempt = 0; attempt < 3 && Client is null; attempt++)
        {
            // The client's port is chosen first, since the IdP registers its redirect URIs at start-up.
            var client = new ClientServer(ClientServer.FreePort(), onLoopbackAddress: IdpOnLocalhost);
            var idp = IdpOnLocalhost ? new IdpServer(client.Url, ClientServer.FreePort(), IdpSettings) : new IdpServer(client.Url, IdpSettings);
            try
            {
                idp.Start();
                client.Start(idp.Url);
                Idp = idp;
                Client = client;
            }
            catch (IOException e)
            {
                // The free port was taken in between: try another.
                last = e;
                await client.DisposeAsync();
                await idp.DisposeAsync();
            }
        }

        if (Client is null)
        {
            throw new InvalidOperationException("The IdP and the client app could not be started.", last);
        }

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(Chromium.LaunchOptions(chromium));
    }

    /// <summary>A new device: a fresh browser context with one page.</summary>
    public async Task<Device> NewDeviceAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 960, Height = 720 },
            Locale = "en-US",
        });
        context.SetDefaultTimeout(20_000);
        var page = await context.NewPageAsync();
        return new Device(this, context, page);
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
        if (Client is not null)
        {
            await Client.DisposeAsync();
        }

        if (Idp is not null)
        {
            await Idp.DisposeAsync();
        }
    }
}

/// <summary>The collection of every browser test: they share <see cref="BrowserFixture"/> and run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Browser";
}
