using System.Net;
using AngleSharp.Html.Dom;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using static IdentityServer.MultiSession.Tests.Integration.DefaultIdentityUiTests;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>
/// A host overrides a page of the library's Razor UI by keeping its own copy at the same path (the README's "A page of the
/// Razor UI"). The default-UI test host keeps its own <c>Areas/MultiSession/Pages/Accounts.cshtml</c>, compiled against the
/// public <c>AccountsModel</c> only (that project has no access to the library's internals): the host's page is the one
/// served, it renders the public model's properties, and its forms reach the library's internal implementation.
/// </summary>
public sealed class HostPageOverrideTests : IClassFixture<DefaultUiFactory>
{
    private readonly DefaultUiFactory factory;

    public HostPageOverrideTests(DefaultUiFactory factory) => this.factory = factory;

    [Fact]
    public async Task A_host_copy_of_the_picker_renders_the_public_model_and_its_forms_reach_the_library()
    {
        var alice = await factory.CreateUserAsync("alice");
        var bob = await factory.CreateUserAsync("bob");
        using var client = factory.CreateDefaultClient(new Uri("http://localhost"), new CookieContainerHandler(new CookieContainer()));
        foreach (var email in new[] { alice, bob })
        {
            using var signedIn = await SubmitAsync(client, "/Identity/Account/Login", "Input.Password", new Dictionary<string, string>
            {
                ["Input.Email"] = email,
                ["Input.Password"] = Password,
            });
            Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        }

        // The host's page is served (its marker), with the model's properties: the accounts, the mode, the add-account link.
        var picker = await GetPageAsync(client, "/MultiSession/Accounts");
        var marker = picker.QuerySelector(".host-override");
        Assert.NotNull(marker);
        Assert.Equal("2", marker.GetAttribute("data-accounts"));
        Assert.Equal("no", marker.GetAttribute("data-for-authorization"));
        Assert.StartsWith("/Identity/Account/Login?ReturnUrl=", picker.QuerySelector("a.ms-link")!.GetAttribute("href"), StringComparison.Ordinal);
        Assert.Contains(bob, picker.QuerySelector(".ms-account-active")!.TextContent, StringComparison.Ordinal);

        // Its "use" form reaches the library's handler: alice becomes active.
        var useAlice = picker.QuerySelectorAll<IHtmlFormElement>("form[action$='handler=Use']")
            .Single(f => f.QuerySelector("button")!.GetAttribute("aria-label")!.Contains($"({alice})", StringComparison.Ordinal));
        using (var switched = await PostFormAsync(client, useAlice, new Dictionary<string, string>()))
        {
            Assert.Equal(HttpStatusCode.Redirect, switched.StatusCode);
        }

        var after = await GetPageAsync(client, "/MultiSession/Accounts");
        Assert.NotNull(after.QuerySelector(".host-override"));
        Assert.Contains(alice, after.QuerySelector(".ms-account-active")!.TextContent, StringComparison.Ordinal);

        // Its "sign out" form too: bob is signed out and the host's page lists alice alone.
        var signOutBob = after.QuerySelectorAll<IHtmlFormElement>("form[action$='handler=SignOut']")
            .Single(f => f.QuerySelector("button")!.GetAttribute("aria-label")!.Contains(bob, StringComparison.Ordinal));
        using (var signedOut = await PostFormAsync(client, signOutBob, new Dictionary<string, string>()))
        {
            Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        }

        var last = await GetPageAsync(client, "/MultiSession/Accounts");
        Assert.Equal("1", last.QuerySelector(".host-override")!.GetAttribute("data-accounts"));
    }
}
