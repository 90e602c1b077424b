using System.Net;

namespace IdentityServer.MultiSession.Tests.Infrastructure;

/// <summary>The account picker as a user sees it: one "use" form and one "sign out" form per account.</summary>
public sealed class PickerPage
{
    private PickerPage(TestBrowser browser, IHtmlDocument document)
    {
        Browser = browser;
        Document = document;
    }

    public TestBrowser Browser { get; }

    public IHtmlDocument Document { get; }

    public static async Task<PickerPage> OpenAsync(TestBrowser browser, string url = "/MultiSession/Accounts") =>
        new(browser, await browser.GetPageAsync(url));

    public static PickerPage FromHtml(TestBrowser browser, string html, string url) => new(browser, TestBrowser.Parse(html, url));

    /// <summary>The accounts listed, by the accessible name of their "use" button.</summary>
    public IReadOnlyList<string> Accounts =>
        Document.QuerySelectorAll<IHtmlFormElement>("form[action$='handler=Use']")
            .Select(f => f.QuerySelector<IHtmlButtonElement>("button")!.GetAttribute("aria-label")!)
            .ToList();

    public IHtmlFormElement UseForm(string email) => FormFor("Use", email);

    public IHtmlFormElement SignOutForm(string email) => FormFor("SignOut", email);

    public IHtmlFormElement SignOutAllForm => Document.QuerySelector<IHtmlFormElement>("form[action*='handler=SignOutAll']")!;

    public string AddAccountHref => Document.QuerySelectorAll<IHtmlAnchorElement>("a").Single(a => a.TextContent.Trim() == "Use another account").GetAttribute("href")!;

    public Task<HttpResponseMessage> UseAsync(string email) => Browser.SubmitAsync(UseForm(email));

    public Task<HttpResponseMessage> SignOutAsync(string email) => Browser.SubmitAsync(SignOutForm(email));

    private IHtmlFormElement FormFor(string handler, string email)
    {
        var forms = Document.QuerySelectorAll<IHtmlFormElement>($"form[action$='handler={handler}']")
            .Where(f => f.QuerySelector<IHtmlButtonElement>("button")!.GetAttribute("aria-label")!.Contains($"({email})", StringComparison.Ordinal))
            .ToList();
        Assert.True(forms.Count == 1, $"Expected one {handler} form for {email} on the picker; found {forms.Count}.");
        return forms[0];
    }

    public static void AssertRedirectTo(HttpResponseMessage response, string pathPrefix)
    {
        Assert.True(TestBrowser.IsRedirect(response), $"Expected a redirect to {pathPrefix}, got {(int)response.StatusCode}");
        var location = response.Headers.Location!.ToString();
        Assert.True(location.StartsWith(pathPrefix, StringComparison.OrdinalIgnoreCase) || location.StartsWith("http://localhost" + pathPrefix, StringComparison.OrdinalIgnoreCase),
            $"Expected a redirect to {pathPrefix}, got {location}");
    }

    public static async Task<string> BodyAsync(HttpResponseMessage response)
    {
        Assert.NotEqual(HttpStatusCode.InternalServerError, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }
}
