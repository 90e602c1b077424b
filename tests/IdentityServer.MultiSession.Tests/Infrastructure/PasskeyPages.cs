using System.Net;
using System.Text.Json.Nodes;
using AngleSharp.Html.Dom;

namespace IdentityServer.MultiSession.Tests.Infrastructure;

/// <summary>
/// What <c>wwwroot/js/passkey-login.js</c> and <c>passkey-manage.js</c> do in a browser, done with <see cref="TestBrowser"/>
/// and a <see cref="SoftwareAuthenticator"/>: fetch the ceremony's options with the form's fields, let the authenticator
/// answer, post the form with the answer and the attempt id. Every post carries the <c>Origin</c> a browser sends.
/// </summary>
public static class PasskeyPages
{
    /// <summary>The Manage → Passkeys page.</summary>
    public const string ManageUrl = "/Account/Manage/Passkeys";

    /// <summary>Adds the authenticator's passkey to the active account on Manage → Passkeys; the response to the final post.</summary>
    public static async Task<HttpResponseMessage> AddPasskeyAsync(this TestBrowser browser, SoftwareAuthenticator authenticator, string name = "")
    {
        ArgumentNullException.ThrowIfNull(authenticator);
        var form = await AddFormAsync(browser);
        return await browser.AddPasskeyWithFormAsync(form, authenticator, name);
    }

    /// <summary>The "Add a passkey" form as the page renders it now (for the active account).</summary>
    public static async Task<IHtmlFormElement> AddFormAsync(this TestBrowser browser) =>
        (await browser.GetPageAsync(ManageUrl)).QuerySelector<IHtmlFormElement>("#passkey-add-form")!;

    /// <summary>Runs the add form (rendered earlier, perhaps for another account): options, then the answer.</summary>
    public static async Task<HttpResponseMessage> AddPasskeyWithFormAsync(this TestBrowser browser, IHtmlFormElement form, SoftwareAuthenticator authenticator, string name = "")
    {
        ArgumentNullException.ThrowIfNull(form);
        ArgumentNullException.ThrowIfNull(authenticator);
        var fields = Fields(form);
        fields["Name"] = name;
        using var options = await browser.PostFormAsync(form.Dataset["options"]!, fields);
        if (options.StatusCode == HttpStatusCode.OK)
        {
            var ceremony = JsonNode.Parse(await options.Content.ReadAsStringAsync())!;
            fields["PasskeyAttempt"] = ceremony["attempt"]!.GetValue<string>();
            fields["PasskeyCredential"] = authenticator.Create(ceremony["options"]!);
        }

        return await browser.PostFormAsync(form.GetAttribute("action")!, fields);
    }

    /// <summary>
    /// Clicks "Sign in with a passkey" on the login page: the ceremony's options are fetched with the password form's
    /// antiforgery token and return URL, nothing answered yet.
    /// </summary>
    public static async Task<PendingPasskeySignIn> StartPasskeySignInAsync(this TestBrowser browser, string? returnUrl = null)
    {
        var url = returnUrl is null ? "/Account/Login" : $"/Account/Login?ReturnUrl={Uri.EscapeDataString(returnUrl)}";
        var page = await browser.GetPageAsync(url);
        var block = page.QuerySelector("#passkey-sign-in")!;
        var login = page.QuerySelectorAll<IHtmlFormElement>("form").Single(f => f.QuerySelector("input[name='Input.Password']") is not null);
        var fields = Fields(login).Where(f => f.Key is "__RequestVerificationToken" or "ReturnUrl").ToDictionary(f => f.Key, f => f.Value);
        using var options = await browser.PostFormAsync(block.GetAttribute("data-options")!, fields);
        Assert.Equal(HttpStatusCode.OK, options.StatusCode);
        Assert.Equal("application/json", options.Content.Headers.ContentType?.MediaType);
        var ceremony = JsonNode.Parse(await options.Content.ReadAsStringAsync())!;
        fields["PasskeyAttempt"] = ceremony["attempt"]!.GetValue<string>();
        return new PendingPasskeySignIn(block.GetAttribute("data-action")!, fields, ceremony["options"]!);
    }

    /// <summary>Posts the authenticator's answer to a pending passkey sign-in.</summary>
    public static Task<HttpResponseMessage> FinishPasskeySignInAsync(this TestBrowser browser, PendingPasskeySignIn pending, SoftwareAuthenticator authenticator)
    {
        ArgumentNullException.ThrowIfNull(pending);
        ArgumentNullException.ThrowIfNull(authenticator);
        return browser.FinishPasskeySignInAsync(pending, authenticator.Assert(pending.Options));
    }

    /// <summary>Posts <paramref name="credentialJson"/> as the answer to a pending passkey sign-in.</summary>
    public static Task<HttpResponseMessage> FinishPasskeySignInAsync(this TestBrowser browser, PendingPasskeySignIn pending, string credentialJson)
    {
        ArgumentNullException.ThrowIfNull(pending);
        var fields = new Dictionary<string, string>(pending.Fields) { ["PasskeyCredential"] = credentialJson };
        return browser.PostFormAsync(pending.Action, fields);
    }

    /// <summary>A whole passkey sign-in on the login page.</summary>
    public static async Task<HttpResponseMessage> SignInWithPasskeyAsync(this TestBrowser browser, SoftwareAuthenticator authenticator, string? returnUrl = null) =>
        await browser.FinishPasskeySignInAsync(await browser.StartPasskeySignInAsync(returnUrl), authenticator);

    /// <summary>Posts form fields as a browser's script would, with the page's <c>Origin</c>.</summary>
    public static Task<HttpResponseMessage> PostFormAsync(this TestBrowser browser, string action, IDictionary<string, string> fields)
    {
        ArgumentNullException.ThrowIfNull(browser);
        var request = new HttpRequestMessage(HttpMethod.Post, WebUtility.HtmlDecode(action)) { Content = new FormUrlEncodedContent(fields) };
        request.Headers.Add("Origin", SoftwareAuthenticator.DefaultOrigin);
        return browser.Client.SendAsync(request);
    }

    private static Dictionary<string, string> Fields(IHtmlFormElement form) =>
        form.QuerySelectorAll<IHtmlInputElement>("input[name]").ToDictionary(i => i.Name!, i => i.Value);
}
