using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using IdpHost.Data;

namespace IdentityServer.MultiSession.Tests.Infrastructure;

/// <summary>One browser (one device): a cookie jar, plain HTML forms, manual redirects.</summary>
public sealed class TestBrowser
{
    private static readonly HtmlParser Parser = new();

    public TestBrowser(IdpFactory factory)
    {
        Factory = factory;
        Client = factory.CreateClientWith(Cookies);
    }

    /// <summary>The same browser (the same cookies) talking to another instance, as behind a load balancer.</summary>
    public TestBrowser(IdpFactory factory, CookieContainer cookies)
    {
        Factory = factory;
        Cookies = cookies;
        Client = factory.CreateClientWith(Cookies);
    }

    public IdpFactory Factory { get; }

    public CookieContainer Cookies { get; } = new();

    /// <summary>This browser's requests sent to <paramref name="instance"/> instead.</summary>
    public TestBrowser On(IdpFactory instance) => new(instance, Cookies);

    public HttpClient Client { get; }

    public string? DeviceCookie => Cookies.GetCookies(new Uri("http://localhost/")).FirstOrDefault(c => c.Name == MultiSessionDefaults.DevelopmentDeviceCookieName)?.Value;

    public Task<HttpResponseMessage> GetAsync(string url) => Client.GetAsync(url);

    public async Task<IHtmlDocument> GetPageAsync(string url)
    {
        using var response = await Client.GetAsync(url);
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url} answered {(int)response.StatusCode}: {html[..Math.Min(500, html.Length)]}");
        return Parse(html, url);
    }

    public static IHtmlDocument Parse(string html, string url = "http://localhost/")
    {
        var document = Parser.ParseDocument(html);
        document.Location.Href = new Uri(new Uri("http://localhost"), url).ToString();
        return document;
    }

    /// <summary>Submits a form as a browser would: its named inputs, the overrides, and the clicked button's name and value.</summary>
    public Task<HttpResponseMessage> SubmitAsync(IHtmlFormElement form, IDictionary<string, string>? values = null, IHtmlButtonElement? submitter = null)
    {
        var fields = new List<KeyValuePair<string, string>>();
        foreach (var input in form.QuerySelectorAll<IHtmlInputElement>("input[name]"))
        {
            var name = input.Name!;
            if (values is not null && values.ContainsKey(name))
            {
                continue;
            }

            fields.Add(KeyValuePair.Create(name, input.Value));
        }

        if (values is not null)
        {
            fields.AddRange(values);
        }

        if (submitter?.Name is { } buttonName)
        {
            fields.Add(KeyValuePair.Create(buttonName, submitter.Value));
        }

        var action = form.GetAttribute("action");
        if (string.IsNullOrEmpty(action))
        {
            action = new Uri(form.Owner!.Location.Href).PathAndQuery;
        }

        return Client.PostAsync(System.Net.WebUtility.HtmlDecode(action), new FormUrlEncodedContent(fields));
    }

    /// <summary>Signs in through the login form; returns the response (302 on success).</summary>
    public async Task<HttpResponseMessage> SignInAsync(string userName, string? returnUrl = null, string password = DemoUsers.Password)
    {
        var url = returnUrl is null ? "/Account/Login" : $"/Account/Login?ReturnUrl={Uri.EscapeDataString(returnUrl)}";
        var page = await GetPageAsync(url);
        var form = page.QuerySelectorAll<IHtmlFormElement>("form").Single(f => f.QuerySelector("input[name='Input.Password']") is not null);
        return await SubmitAsync(form, new Dictionary<string, string> { ["Input.UserName"] = userName, ["Input.Password"] = password });
    }

    /// <summary>Signs in and asserts success.</summary>
    public async Task SignInOkAsync(params string[] userNames)
    {
        foreach (var userName in userNames)
        {
            using var response = await SignInAsync(userName);
            Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"Sign-in of {userName} answered {(int)response.StatusCode}");
        }
    }

    /// <summary>Follows redirects that stay on the IdP; stops at a page or at a redirect that leaves it (the client's callback).</summary>
    public async Task<HttpResponseMessage> FollowAsync(HttpResponseMessage response, int limit = 10)
    {
        for (var i = 0; i < limit && IsRedirect(response); i++)
        {
            var location = response.Headers.Location!;
            var absolute = location.IsAbsoluteUri ? location : new Uri(new Uri("http://localhost"), location);
            if (absolute.Host != "localhost" || absolute.AbsolutePath is "/callback" or "/signed-out")
            {
                return response;
            }

            response.Dispose();
            response = await Client.GetAsync(absolute.PathAndQuery);
        }

        return response;
    }

    public async Task<List<JsonElement>> ListAsync()
    {
        using var response = await Client.GetAsync("/multi-session/list-device-sessions");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.EnumerateArray().Select(e => e.Clone()).ToList();
    }

    public async Task<JsonElement> SessionOfAsync(string email) =>
        (await ListAsync()).Single(e => e.GetProperty("user").GetProperty("email").GetString() == email);

    public Task<HttpResponseMessage> PostJsonAsync(string path, string? body, string contentType = "application/json", Action<HttpRequestMessage>? configure = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        configure?.Invoke(request);
        return Client.SendAsync(request);
    }

    public static bool IsRedirect(HttpResponseMessage response) =>
        response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther or HttpStatusCode.TemporaryRedirect or HttpStatusCode.MovedPermanently;
}
