using System.Net;
using AngleSharp.Html.Dom;
using IdpHost.Data;

namespace IdentityServer.MultiSession.Tests.Infrastructure;

/// <summary>One browser talking to the upstream provider over real HTTP: signs in on its login page when asked to.</summary>
public sealed class UpstreamBrowser
{
    private readonly UpstreamIdpFactory upstream;
    private readonly HttpClient client;

    public UpstreamBrowser(UpstreamIdpFactory upstream)
    {
        this.upstream = upstream;
        client = new HttpClient(new SocketsHttpHandler { CookieContainer = new CookieContainer(), UseCookies = true, AllowAutoRedirect = false })
        {
            BaseAddress = upstream.BaseUri,
        };
    }

    /// <summary>
    /// Follows the downstream's redirect to the upstream's authorization endpoint, signs <paramref name="userName"/> in on the
    /// upstream's login page when it is shown, and returns where the upstream sends the browser back to (the downstream).
    /// </summary>
    public async Task<Uri> AuthorizeAsync(Uri authorizeUrl, string userName, string password = DemoUsers.Password)
    {
        Assert.Equal(upstream.BaseUri.Authority, authorizeUrl.Authority);
        var response = await client.GetAsync(authorizeUrl);
        for (var i = 0; i < 10; i++)
        {
            Assert.True(TestBrowser.IsRedirect(response), $"The upstream answered {(int)response.StatusCode} at step {i}: {await response.Content.ReadAsStringAsync()}");
            var location = new Uri(upstream.BaseUri, response.Headers.Location!);
            response.Dispose();
            if (location.Authority != upstream.BaseUri.Authority)
            {
                return location;
            }

            if (location.AbsolutePath.Equals("/Account/Login", StringComparison.OrdinalIgnoreCase))
            {
                response = await SignInAsync(location, userName, password);
                continue;
            }

            response = await client.GetAsync(location);
        }

        throw new InvalidOperationException("The upstream redirected too often.");
    }

    private async Task<HttpResponseMessage> SignInAsync(Uri loginUrl, string userName, string password)
    {
        using var page = await client.GetAsync(loginUrl);
        var document = TestBrowser.Parse(await page.Content.ReadAsStringAsync(), loginUrl.ToString());
        var form = document.QuerySelectorAll<IHtmlFormElement>("form").Single(f => f.QuerySelector("input[name='Input.Password']") is not null);
        var fields = form.QuerySelectorAll<IHtmlInputElement>("input[name]")
            .Where(i => i.Name is not ("Input.UserName" or "Input.Password"))
            .Select(i => KeyValuePair.Create(i.Name!, i.Value))
            .Append(KeyValuePair.Create("Input.UserName", userName))
            .Append(KeyValuePair.Create("Input.Password", password));
        return await client.PostAsync(loginUrl.PathAndQuery, new FormUrlEncodedContent(fields));
    }
}
