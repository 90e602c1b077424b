using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityServer.MultiSession.Tests.Infrastructure;

/// <summary>
/// The real IdpHost (as <see cref="IdpFactory"/>) on Kestrel at <c>http://127.0.0.1:{free port}</c>, so that tests can send
/// bytes an HTTP client refuses to send, through a raw socket.
/// </summary>
public sealed class KestrelIdpFactory : IdpFactory
{
    public KestrelIdpFactory()
    {
        UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        StartServer();
        var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUri = new Uri(address.TrimEnd('/') + "/");
    }

    /// <summary>The server's address, such as <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseUri { get; }

    /// <summary>A real HTTP client to the server with its own cookie jar; no automatic redirects.</summary>
    public HttpClient CreateSocketClient(CookieContainer cookies) =>
        new(new SocketsHttpHandler { CookieContainer = cookies, UseCookies = true, AllowAutoRedirect = false }) { BaseAddress = BaseUri };

    /// <summary>
    /// Sends <paramref name="request"/> as it is on a new connection and reads the answer until the server closes it;
    /// returns the status code and the head of the answer. Fails the test if no answer comes within 20 seconds.
    /// </summary>
    public async Task<(int Status, string Head)> SendRawAsync(byte[] request)
    {
        using var tcp = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await tcp.ConnectAsync(IPAddress.Loopback, BaseUri.Port, timeout.Token);
        var stream = tcp.GetStream();
        await stream.WriteAsync(request, timeout.Token);
        using var answer = new MemoryStream();
        var buffer = new byte[8192];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
            {
                answer.Write(buffer, 0, read);
                if (HeadComplete(answer))
                {
                    break;
                }
            }
        }
        catch (IOException) when (answer.Length > 0)
        {
            // The server reset the connection after answering (it does so for a request it rejects).
        }

        var text = Encoding.Latin1.GetString(answer.ToArray());
        var head = text.Split("\r\n\r\n", 2)[0];
        Assert.True(head.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) && head.Length >= 12, $"No HTTP answer: {head[..Math.Min(200, head.Length)]}");
        return (int.Parse(head.AsSpan(9, 3), System.Globalization.CultureInfo.InvariantCulture), head);
    }

    /// <summary>Builds a request: the method and target (bytes, sent as they are), headers and a body with its exact length.</summary>
    public byte[] Request(string method, byte[] target, IEnumerable<(string Name, byte[] Value)> headers, byte[]? body = null)
    {
        using var request = new MemoryStream();
        void Write(string text) => request.Write(Encoding.ASCII.GetBytes(text));
        Write(method + " ");
        request.Write(target);
        Write($" HTTP/1.1\r\nHost: {BaseUri.Authority}\r\nConnection: close\r\n");
        foreach (var (name, value) in headers)
        {
            Write(name + ": ");
            request.Write(value);
            Write("\r\n");
        }

        if (body is not null)
        {
            Write($"Content-Length: {body.Length}\r\n");
        }

        Write("\r\n");
        if (body is not null)
        {
            request.Write(body);
        }

        return request.ToArray();
    }

    private static bool HeadComplete(MemoryStream answer)
    {
        // Read the head, and the body when it has a Content-Length, so a half-read answer is never judged.
        var text = Encoding.Latin1.GetString(answer.GetBuffer(), 0, (int)answer.Length);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0)
        {
            return false;
        }

        var length = text[..end].Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        return length is null
            ? text[..end].Contains("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) && text.EndsWith("0\r\n\r\n", StringComparison.Ordinal)
              || !text[..end].Contains("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)
            : text.Length - end - 4 >= int.Parse(length["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
