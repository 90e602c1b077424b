using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace IdentityServer.MultiSession.Tests.Infrastructure;

/// <summary>
/// A relying party's back-channel logout endpoint: a real Kestrel server on a loopback port that records every logout token
/// POSTed to it and answers <see cref="StatusCode"/>. It can be stopped (connections refused) and started again on the same port.
/// </summary>
public sealed class LogoutReceiver : IAsyncDisposable
{
    private WebApplication? _app;

    private LogoutReceiver(int port) => Port = port;

    public int Port { get; }

    public Uri Uri => new($"http://127.0.0.1:{Port}/backchannel-logout");

    /// <summary>The status answered; 200 unless a test makes the relying party fail.</summary>
    public int StatusCode { get; set; } = StatusCodes.Status200OK;

    /// <summary>Every logout token received, in order, whatever was answered.</summary>
    public ConcurrentQueue<string> Tokens { get; } = new();

    /// <summary>The content types of the requests received.</summary>
    public ConcurrentQueue<string?> ContentTypes { get; } = new();

    public static async Task<LogoutReceiver> StartAsync()
    {
        var receiver = new LogoutReceiver(FreePort());
        await receiver.StartAgainAsync();
        return receiver;
    }

    public async Task StartAgainAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, Port));
        var app = builder.Build();
        app.MapPost("/backchannel-logout", async (HttpContext context) =>
        {
            ContentTypes.Enqueue(context.Request.ContentType);
            var form = await context.Request.ReadFormAsync();
            Tokens.Enqueue(form["logout_token"].ToString());
            return Results.StatusCode(StatusCode);
        });
        await app.StartAsync();
        _app = app;
    }

    public async Task StopAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    /// <summary>Waits (up to 10 s) until at least <paramref name="count"/> tokens arrived; returns them all.</summary>
    public async Task<IReadOnlyList<string>> WaitForAsync(int count, int seconds = 10)
    {
        for (var i = 0; i < seconds * 20 && Tokens.Count < count; i++)
        {
            await Task.Delay(50);
        }

        return Tokens.ToList();
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
