using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using IdentityServer.MultiSession.Tests.Infrastructure;
using IdpHost.Data;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>
/// Two IdP instances, two real hosts, over one PostgreSQL database, with the data-protection keys in the database and the OIDC
/// signing and encryption certificates from configuration: a browser's requests may land on either.
/// </summary>
public sealed class MultiInstanceTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "multisession-instances", Guid.NewGuid().ToString("N"));
    private readonly string? _database;
    private readonly IdpFactory _a;
    private readonly IdpFactory _b;

    public MultiInstanceTests()
    {
        TestPostgres.Require();
        Directory.CreateDirectory(_folder);
        _database = TestPostgres.NewDatabase();
        var signing = CreateCertificate("signing", X509KeyUsageFlags.DigitalSignature);
        var encryption = CreateCertificate("encryption", X509KeyUsageFlags.KeyEncipherment);
        _a = Instance(signing, encryption);
        _a.CreateClient().Dispose();
        _b = Instance(signing, encryption);
        _b.CreateClient().Dispose();
    }

    [SkippableFact]
    public async Task A_session_made_on_one_instance_is_used_with_the_picker_on_the_other()
    {
        var onA = _a.CreateBrowser();
        var onB = onA.On(_b);
        await onA.SignInOkAsync("alice", "bob");
        Assert.Equal(2, (await onB.ListAsync()).Count);

        // A picker form rendered by A posts to B: the antiforgery keys are shared.
        var pickerOnA = await PickerPage.OpenAsync(onA);
        using var used = await onB.SubmitAsync(pickerOnA.UseForm("alice@example.com"));
        PickerPage.AssertRedirectTo(used, "/");
        Assert.True((await onA.SessionOfAsync("alice@example.com")).GetProperty("active").GetBoolean());
        var profile = await onB.GetPageAsync("/Account/Profile");
        Assert.Equal("Alice Anderson", profile.QuerySelector("#profile-name")!.TextContent);
    }

    [SkippableFact]
    public async Task An_authorization_code_issued_on_one_instance_is_redeemed_on_the_other_and_its_id_token_validates()
    {
        var onA = _a.CreateBrowser();
        var onB = onA.On(_b);
        await onA.SignInOkAsync("carol");
        var client = new OidcClient(onA);
        var code = client.Code(await client.AuthorizeAsync());
        var tokens = await client.ExchangeAsync(code, via: onB.Client);
        Assert.Equal(HttpStatusCode.OK, tokens.Status);
        var idToken = await client.ValidateIdTokenAsync(tokens.IdToken!, via: onB.Client);
        Assert.Equal((await onA.ListAsync())[0].GetProperty("sessionId").GetString(), idToken.GetClaim("sid").Value);
        await client.ValidateIdTokenAsync(tokens.IdToken!, via: onA.Client);

        var refreshed = await OidcClient.RefreshAsync(onA.Client, tokens.RefreshToken!);
        Assert.Equal(HttpStatusCode.OK, refreshed.Status);
    }

    [SkippableFact]
    public async Task A_revocation_on_one_instance_is_refused_on_the_other_at_the_next_request()
    {
        var onA = _a.CreateBrowser();
        var onB = onA.On(_b);
        await onA.SignInOkAsync("dave");
        var client = new OidcClient(onA);
        var tokens = await client.ExchangeAsync(client.Code(await client.AuthorizeAsync()));
        Assert.Equal(HttpStatusCode.OK, (await onA.GetAsync("/Account/Profile")).StatusCode);

        var token = (await onB.ListAsync())[0].GetProperty("sessionToken").GetString();
        using (var revoked = await onB.PostJsonAsync("/multi-session/revoke", JsonSerializer.Serialize(new { sessionToken = token })))
        {
            Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        }

        using var profile = await onA.GetAsync("/Account/Profile");
        PickerPage.AssertRedirectTo(profile, "/Account/Login");
        Assert.Empty(await onA.ListAsync());
        Assert.Equal("invalid_grant", (await OidcClient.RefreshAsync(onA.Client, tokens.RefreshToken!)).Error);
    }

    [SkippableFact]
    public async Task Ten_concurrent_sign_ins_spread_over_two_instances_never_exceed_the_limit_and_every_loser_is_refused_clearly()
    {
        var onA = _a.CreateBrowser();
        var onB = onA.On(_b);
        await onA.SignInOkAsync("alice");
        var devicesBefore = (await _a.CountRowsAsync()).Devices;

        var users = new[] { "bob", "carol", "dave", "erin", "frank" };
        var attempts = new List<(TestBrowser Browser, IHtmlFormElement Form, string User)>();
        for (var i = 0; i < 10; i++)
        {
            var render = i % 2 == 0 ? onA : onB;
            var post = i % 2 == 0 ? onB : onA;
            var page = await render.GetPageAsync("/Account/Login");
            attempts.Add((post, page.QuerySelectorAll<IHtmlFormElement>("form:not(.ms-language)").Single(), users[i % users.Length]));
        }

        var responses = await Task.WhenAll(attempts.Select(a => a.Browser.SubmitAsync(a.Form, new Dictionary<string, string>
        {
            ["Input.UserName"] = a.User,
            ["Input.Password"] = DemoUsers.Password,
        })));
        foreach (var response in responses.Where(r => r.StatusCode != HttpStatusCode.Redirect))
        {
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {_a.Log}{_b.Log}");
            var page = TestBrowser.Parse(await response.Content.ReadAsStringAsync(), "/Account/Login");
            var message = page.QuerySelector(".ms-limit [role=alert]")?.TextContent.Trim() ?? page.QuerySelector(".ms-error")?.TextContent.Trim();
            Assert.True(
                message is MultiSessionSignInSupersededException.DefaultMessage
                    or "This browser already has 5 accounts signed in. Sign out of one to add another.",
                $"A refused sign-in must say why; it said '{message}'.");
        }

        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.Redirect);
        var sessions = await onB.ListAsync();
        Assert.InRange(sessions.Count, 2, 5);
        Assert.Equal(sessions.Count, sessions.Select(s => s.GetProperty("user").GetProperty("id").GetString()).Distinct().Count());
        Assert.Equal(devicesBefore, (await _a.CountRowsAsync()).Devices);
        Assert.Equal(sessions.Count, (await _a.CountRowsAsync()).Sessions);
    }

    [SkippableFact]
    public async Task Each_instance_reports_healthy_at_healthz()
    {
        foreach (var instance in new[] { _a, _b })
        {
            using var response = await instance.CreateBrowser().GetAsync("/healthz");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
        }
    }

    public void Dispose()
    {
        _b?.Dispose();
        _a?.Dispose();
        if (_database is not null)
        {
            TestPostgres.Drop(_database);
        }

        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // Left for the system's temporary folder cleanup.
        }
    }

    private IdpFactory Instance(string signing, string encryption)
    {
        var instance = new IdpFactory { Provider = "PostgreSQL", ConnectionString = _database };
        instance.Settings["Oidc:UseEphemeralKeys"] = "false";
        instance.Settings["Oidc:SigningCertificate:Path"] = signing;
        instance.Settings["Oidc:SigningCertificate:Password"] = "instances";
        instance.Settings["Oidc:EncryptionCertificate:Path"] = encryption;
        instance.Settings["Oidc:EncryptionCertificate:Password"] = "instances";
        return instance;
    }

    private string CreateCertificate(string name, X509KeyUsageFlags usage)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest($"CN=MultiSession test {name}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(usage, critical: true));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var path = Path.Combine(_folder, name + ".pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, "instances"));
        return path;
    }
}
