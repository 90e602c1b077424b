using System.Net;
using AngleSharp.Html.Parser;
using IdentityServer.MultiSession.DefaultUiHost;
using IdentityServer.MultiSession.Storage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>
/// The library composes with ASP.NET Core Identity's default UI (<c>Microsoft.AspNetCore.Identity.UI</c>), used unchanged: two
/// accounts sign in through its login form and both are in the picker; its change-password page (which calls
/// <c>RefreshSignInAsync</c>) keeps the session's sid and auth_time and the other account signed in.
/// </summary>
public sealed class DefaultIdentityUiTests : IClassFixture<DefaultIdentityUiTests.DefaultUiFactory>
{
    internal const string Password = "Passw0rd!";
    private const string NewPassword = "Changed-Pa55word!";
    private static readonly HtmlParser Parser = new();

    private readonly DefaultUiFactory factory;

    public DefaultIdentityUiTests(DefaultUiFactory factory) => this.factory = factory;

    [Fact]
    public async Task Two_accounts_sign_in_through_the_default_login_form_and_a_password_change_keeps_the_sid_auth_time_and_the_other_account()
    {
        var alice = await factory.CreateUserAsync("alice");
        var bob = await factory.CreateUserAsync("bob");
        var cookies = new CookieContainer();
        using var client = factory.CreateDefaultClient(new Uri("http://localhost"), new CookieContainerHandler(cookies));

        foreach (var email in new[] { alice, bob })
        {
            using var signedIn = await SubmitAsync(client, "/Identity/Account/Login", "Input.Password", new Dictionary<string, string>
            {
                ["Input.Email"] = email,
                ["Input.Password"] = Password,
            });
            Assert.True(signedIn.StatusCode == HttpStatusCode.Redirect, $"The default login form answered {(int)signedIn.StatusCode} for {email}");
        }

        // Both accounts are in the library's picker, bob active.
        var picker = await GetPageAsync(client, "/MultiSession/Accounts");
        var listed = picker.QuerySelectorAll("form[action$='handler=Use'] button").Select(b => b.GetAttribute("aria-label")!).ToList();
        Assert.Equal(2, listed.Count);
        Assert.Contains(listed, l => l.Contains($"({alice})", StringComparison.Ordinal));
        Assert.Contains(listed, l => l.Contains($"({bob})", StringComparison.Ordinal));
        Assert.Contains(bob, picker.QuerySelector(".ms-account-active")!.TextContent, StringComparison.Ordinal);

        // Switch to alice in the picker, then change her password on the default UI's page.
        var useAlice = picker.QuerySelectorAll<IHtmlFormElement>("form[action$='handler=Use']")
            .Single(f => f.QuerySelector("button")!.GetAttribute("aria-label")!.Contains($"({alice})", StringComparison.Ordinal));
        using (var switched = await PostFormAsync(client, useAlice, new Dictionary<string, string>()))
        {
            Assert.Equal(HttpStatusCode.Redirect, switched.StatusCode);
        }

        var before = await factory.SessionsAsync();
        factory.Time.Advance(TimeSpan.FromMinutes(5));
        using (var changed = await SubmitAsync(client, "/Identity/Account/Manage/ChangePassword", "Input.NewPassword", new Dictionary<string, string>
        {
            ["Input.OldPassword"] = Password,
            ["Input.NewPassword"] = NewPassword,
            ["Input.ConfirmPassword"] = NewPassword,
        }))
        {
            Assert.True(changed.StatusCode == HttpStatusCode.Redirect, $"The change-password page answered {(int)changed.StatusCode}");
            Assert.EndsWith("/Identity/Account/Manage/ChangePassword", changed.Headers.Location!.OriginalString, StringComparison.Ordinal);
        }

        Assert.True(await factory.WithUsersAsync(async users => await users.CheckPasswordAsync((await users.FindByEmailAsync(alice))!, NewPassword)));
        var after = await factory.SessionsAsync();
        Assert.Equal(2, after.Count);
        Assert.Equal(before[alice].Id, after[alice].Id);
        Assert.Equal(before[alice].AuthenticatedAt, after[alice].AuthenticatedAt);
        Assert.NotEqual(before[alice].SecurityStampHash, after[alice].SecurityStampHash);
        Assert.Equal(before[bob].Id, after[bob].Id);

        // Still signed in as alice on the default UI's pages, and bob is still in the picker.
        var status = await GetPageAsync(client, "/Identity/Account/Manage/ChangePassword");
        Assert.Contains("Your password has been changed.", status.Body!.TextContent, StringComparison.Ordinal);
        var pickerAfter = await GetPageAsync(client, "/MultiSession/Accounts");
        Assert.Equal(2, pickerAfter.QuerySelectorAll("form[action$='handler=Use']").Length);
        Assert.Contains(alice, pickerAfter.QuerySelector(".ms-account-active")!.TextContent, StringComparison.Ordinal);
    }

    internal static async Task<IHtmlDocument> GetPageAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url} answered {(int)response.StatusCode}: {html[..Math.Min(1500, html.Length)]}");
        var document = Parser.ParseDocument(html);
        document.Location.Href = new Uri(new Uri("http://localhost"), url).ToString();
        return document;
    }

    /// <summary>Opens <paramref name="url"/> and submits its form that has an input named <paramref name="field"/>.</summary>
    internal static async Task<HttpResponseMessage> SubmitAsync(HttpClient client, string url, string field, IDictionary<string, string> values)
    {
        var page = await GetPageAsync(client, url);
        var form = page.QuerySelectorAll<IHtmlFormElement>("form").Single(f => f.QuerySelector($"input[name='{field}']") is not null);
        return await PostFormAsync(client, form, values);
    }

    internal static Task<HttpResponseMessage> PostFormAsync(HttpClient client, IHtmlFormElement form, IDictionary<string, string> values)
    {
        var fields = form.QuerySelectorAll<IHtmlInputElement>("input[name]")
            .Where(i => !values.ContainsKey(i.Name!) && (i.Type is not ("checkbox" or "radio") || i.IsChecked))
            .Select(i => KeyValuePair.Create(i.Name!, i.Value))
            .Concat(values)
            .ToList();
        var action = form.GetAttribute("action");
        if (string.IsNullOrEmpty(action))
        {
            action = new Uri(form.Owner!.Location.Href).PathAndQuery;
        }

        return client.PostAsync(WebUtility.HtmlDecode(action), new FormUrlEncodedContent(fields));
    }

    /// <summary>The default-UI host over a SQLite file of its own, with a fake clock.</summary>
    public sealed class DefaultUiFactory : WebApplicationFactory<DefaultUiProgram>
    {
        private readonly string _directory = Path.Combine(Path.GetTempPath(), "multisession-tests", Guid.NewGuid().ToString("N"));

        public DefaultUiFactory() => Directory.CreateDirectory(_directory);

        public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Development");
            builder.UseSetting("ConnectionStrings:DefaultUi", $"Data Source={Path.Combine(_directory, "default-ui.db")}");
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Time));
        }

        public async Task<string> CreateUserAsync(string name)
        {
            var email = $"{name}-{Guid.NewGuid():N}@example.com";
            await WithUsersAsync(async users =>
            {
                var created = await users.CreateAsync(new IdentityUser { UserName = email, Email = email, EmailConfirmed = true }, Password);
                Assert.True(created.Succeeded, string.Join("; ", created.Errors.Select(e => e.Description)));
                return true;
            });
            return email;
        }

        public async Task<T> WithUsersAsync<T>(Func<UserManager<IdentityUser>, Task<T>> action)
        {
            await using var scope = Services.CreateAsyncScope();
            return await action(scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>());
        }

        /// <summary>The stored device sessions by email.</summary>
        internal async Task<Dictionary<string, DeviceSessionEntity>> SessionsAsync()
        {
            await using var scope = Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<DefaultUiDbContext>();
            return await db.Set<DeviceSessionEntity>().AsNoTracking().ToDictionaryAsync(s => s.Email!);
        }

        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
            SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // A file still open by a late background task; the temporary folder is cleaned by the system.
            }
        }
    }
}
