using System.Net;
using IdentityServer.MultiSession.Tests.Infrastructure;
using IdpHost.Data;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>
/// The picker and the limit page say what happened and for whom: whose sign-out a button is, who was signed out, which
/// client asked; the limit page keeps what the user typed.
/// </summary>
public sealed class PickerMessagesTests(IdpFactory factory) : IClassFixture<IdpFactory>
{
    [Fact]
    public async Task Each_accounts_sign_out_names_the_account_in_its_visible_text()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        var picker = await PickerPage.OpenAsync(browser);
        var button = picker.SignOutForm("bob@example.com").QuerySelector<IHtmlButtonElement>("button")!;
        Assert.Equal("Sign out of Bob Brown", button.TextContent.Trim());
        Assert.Equal("Sign out of Bob Brown (bob@example.com)", button.GetAttribute("aria-label"));
        Assert.Equal("ms-quiet", button.ClassName);
    }

    [Fact]
    public async Task After_a_sign_out_the_picker_says_who_was_signed_out_once()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        var picker = await PickerPage.OpenAsync(browser);
        using var response = await picker.SignOutAsync("bob@example.com");
        PickerPage.AssertRedirectTo(response, "/MultiSession/Accounts");

        var after = await browser.GetPageAsync(response.Headers.Location!.ToString());
        Assert.Equal("Bob Brown was signed out.", after.QuerySelector("[role=status]")!.TextContent.Trim());
        Assert.Null((await browser.GetPageAsync("/MultiSession/Accounts")).QuerySelector("[role=status]"));
    }

    [Fact]
    public async Task During_an_authorization_the_picker_names_the_client()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice");
        var client = new OidcClient(browser);
        var page = await browser.GetPageAsync("/MultiSession/Accounts?returnUrl=" + Uri.EscapeDataString(client.AuthorizeUrl()));
        Assert.Equal($"to continue to {IdpFactory.ClientId}", page.QuerySelector(".ms-lead")!.TextContent.Trim());

        var unknown = await browser.GetPageAsync("/MultiSession/Accounts?returnUrl=" + Uri.EscapeDataString("/connect/authorize?client_id=nobody&response_type=code"));
        Assert.Equal("to continue to the application", unknown.QuerySelector(".ms-lead")!.TextContent.Trim());
    }

    [Fact]
    public async Task Signing_out_on_the_limit_page_comes_back_to_the_login_form_with_the_typed_user_name_and_says_so()
    {
        using var limited = new IdpFactory();
        var browser = limited.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob", "carol", "dave", "erin");
        using var refused = await browser.SignInAsync("frank");
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var page = TestBrowser.Parse(await refused.Content.ReadAsStringAsync(), "http://localhost/Account/Login");
        Assert.Equal(5, page.QuerySelectorAll(".ms-limit .ms-avatar").Length);
        Assert.Single(page.QuerySelectorAll(".ms-limit .ms-account-active"));

        var signOut = page.QuerySelectorAll<IHtmlFormElement>(".ms-limit form")
            .Single(f => f.QuerySelector("button")!.GetAttribute("aria-label") == "Sign out of Alice Anderson (alice@example.com)");
        using var back = await browser.SubmitAsync(signOut);
        PickerPage.AssertRedirectTo(back, "/Account/Login");
        var login = await browser.GetPageAsync(back.Headers.Location!.ToString());
        Assert.Equal("frank", login.QuerySelector<IHtmlInputElement>("#username")!.Value);
        Assert.Equal("Alice Anderson was signed out.", login.QuerySelector("[role=status]")!.TextContent.Trim());
        Assert.Null(login.QuerySelector(".ms-limit"));

        using var admitted = await browser.SignInAsync("frank", password: DemoUsers.Password);
        Assert.Equal(HttpStatusCode.Redirect, admitted.StatusCode);
    }
}
