using System.Net;
using IdentityServer.MultiSession.Tests.Infrastructure;

namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>The account picker and the pages that see the active account (BEHAVIOUR.md §5, §3).</summary>
public sealed class AccountPickerTests(IdpFactory factory) : IClassFixture<IdpFactory>
{
    [Fact]
    public async Task The_picker_lists_each_account_with_buttons_labelled_by_name_and_email()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        var picker = await PickerPage.OpenAsync(browser);
        Assert.Equal(["Continue as Bob Brown (bob@example.com)", "Continue as Alice Anderson (alice@example.com)"], picker.Accounts);
        Assert.Equal("Sign out of Alice Anderson (alice@example.com)", picker.SignOutForm("alice@example.com").QuerySelector("button")!.GetAttribute("aria-label"));
        Assert.NotNull(picker.SignOutAllForm);
        Assert.Equal("/Account/Login?ReturnUrl=%2F", picker.AddAccountHref);

        // Plain forms with antiforgery tokens: they work without JavaScript.
        Assert.Empty(picker.Document.QuerySelectorAll("script"));
        Assert.All(picker.Document.QuerySelectorAll<IHtmlFormElement>("form"), form =>
        {
            Assert.Equal("post", form.Method, ignoreCase: true);
            Assert.NotNull(form.QuerySelector("input[name='__RequestVerificationToken']"));
        });
    }

    [Fact]
    public async Task Authorize_pages_and_HttpContext_User_see_the_active_account_and_follow_a_switch()
    {
        var browser = factory.CreateBrowser();
        using (var anonymous = await browser.GetAsync("/Account/Profile"))
        {
            PickerPage.AssertRedirectTo(anonymous, "/Account/Login?ReturnUrl=%2FAccount%2FProfile");
        }

        await browser.SignInOkAsync("alice", "bob");
        var profile = await browser.GetPageAsync("/Account/Profile");
        Assert.Equal("Bob Brown", profile.QuerySelector("#profile-name")!.TextContent);
        Assert.Equal((await browser.SessionOfAsync("bob@example.com")).GetProperty("sessionId").GetString(), profile.QuerySelector("#profile-sid")!.TextContent);

        var picker = await PickerPage.OpenAsync(browser, "/MultiSession/Accounts?returnUrl=%2FAccount%2FProfile");
        using var switched = await picker.UseAsync("alice@example.com");
        PickerPage.AssertRedirectTo(switched, "/Account/Profile");
        profile = await browser.GetPageAsync("/Account/Profile");
        Assert.Equal("Alice Anderson", profile.QuerySelector("#profile-name")!.TextContent);
        Assert.Equal("Alice Anderson", (await browser.GetPageAsync("/")).QuerySelector("#active-account")!.TextContent);
    }

    [Fact]
    public async Task Signing_out_of_one_account_in_the_picker_removes_it_and_keeps_the_others()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        var picker = await PickerPage.OpenAsync(browser);
        using var response = await picker.SignOutAsync("bob@example.com");
        PickerPage.AssertRedirectTo(response, "/MultiSession/Accounts?returnUrl=%2F");
        picker = await PickerPage.OpenAsync(browser, response.Headers.Location!.ToString());
        Assert.Equal(["Continue as Alice Anderson (alice@example.com)"], picker.Accounts);
        Assert.True((await browser.SessionOfAsync("alice@example.com")).GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task Signing_out_of_the_last_account_signs_the_device_out()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice");
        var picker = await PickerPage.OpenAsync(browser);
        using var _ = await picker.SignOutAsync("alice@example.com");
        Assert.Empty(await browser.ListAsync());
        Assert.Null(browser.DeviceCookie);
        using var profile = await browser.GetAsync("/Account/Profile");
        PickerPage.AssertRedirectTo(profile, "/Account/Login");
    }

    [Fact]
    public async Task Sign_out_of_all_accounts_ends_every_session_on_the_device()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob", "carol");
        var picker = await PickerPage.OpenAsync(browser);
        using var response = await browser.SubmitAsync(picker.SignOutAllForm);
        PickerPage.AssertRedirectTo(response, "/");
        Assert.Empty(await browser.ListAsync());
        Assert.Equal((0, 0), await CountForAsync(browser));
    }

    [Fact]
    public async Task A_picker_form_posted_without_its_antiforgery_token_is_refused()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        var picker = await PickerPage.OpenAsync(browser);
        using var response = await browser.SubmitAsync(picker.SignOutForm("bob@example.com"), new Dictionary<string, string> { ["__RequestVerificationToken"] = "forged" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(2, (await browser.ListAsync()).Count);
    }

    [Fact]
    public async Task A_form_rendered_before_another_tab_switched_accounts_still_posts()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        var tabA = await PickerPage.OpenAsync(browser);
        var tabB = await PickerPage.OpenAsync(browser);
        using (var _ = await tabB.UseAsync("alice@example.com"))
        {
        }

        using var response = await tabA.SignOutAsync("bob@example.com");
        PickerPage.AssertRedirectTo(response, "/MultiSession/Accounts");
        Assert.Single(await browser.ListAsync());
    }

    [Fact]
    public async Task Using_an_account_that_another_tab_signed_out_shows_a_readable_message()
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        var tabA = await PickerPage.OpenAsync(browser);
        var tabB = await PickerPage.OpenAsync(browser);
        using (var _ = await tabB.SignOutAsync("alice@example.com"))
        {
        }

        using var response = await tabA.UseAsync("alice@example.com");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var page = TestBrowser.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains("no longer signed in", page.QuerySelector("[role=alert]")!.TextContent, StringComparison.Ordinal);
        Assert.Single(await browser.ListAsync());
    }

    [Theory]
    [InlineData("//evil.example")]
    [InlineData("https://evil.example")]
    [InlineData("/\\evil.example")]
    [InlineData("javascript:alert(1)")]
    [InlineData("/%2F%2Fevil.example")]
    [InlineData("/%5Cevil.example")]
    [InlineData("/\t/evil.example")]
    [InlineData("http:evil.example")]
    public async Task Return_urls_that_would_leave_the_idp_fall_back_to_the_home_page(string returnUrl)
    {
        var browser = factory.CreateBrowser();
        await browser.SignInOkAsync("alice", "bob");
        var picker = await PickerPage.OpenAsync(browser, "/MultiSession/Accounts?returnUrl=" + Uri.EscapeDataString(returnUrl));
        Assert.Equal("/", picker.UseForm("alice@example.com").QuerySelector<IHtmlInputElement>("input[name=returnUrl]")!.Value);
        using var response = await browser.SubmitAsync(picker.UseForm("alice@example.com"), new Dictionary<string, string> { ["returnUrl"] = returnUrl });
        PickerPage.AssertRedirectTo(response, "/");
        Assert.Equal("/", response.Headers.Location!.OriginalString);

        using var login = await browser.SignInAsync("carol", returnUrl);
        Assert.Equal("/", login.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task A_local_return_url_is_followed()
    {
        var browser = factory.CreateBrowser();
        using var login = await browser.SignInAsync("alice", "/Account/Profile?tab=1");
        Assert.Equal("/Account/Profile?tab=1", login.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Markup_in_a_login_hint_is_rendered_escaped()
    {
        var browser = factory.CreateBrowser();
        using var response = await browser.GetAsync("/Account/Login?login_hint=" + Uri.EscapeDataString("\"><script>alert(1)</script>"));
        var html = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<script>alert(1)</script>", html, StringComparison.Ordinal);
        Assert.Equal("\"><script>alert(1)</script>", TestBrowser.Parse(html).QuerySelector<IHtmlInputElement>("input[name='Input.UserName']")!.Value);
    }

    private async Task<(int, int)> CountForAsync(TestBrowser browser)
    {
        // Rows of this browser's device: none once it signed out everywhere.
        var list = await browser.ListAsync();
        return (list.Count == 0 ? 0 : 1, list.Count);
    }
}
