using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MultiSession.Bench;

/// <summary>
/// A relying party's back-channel logout endpoint reduced to a counter: Kestrel on a free port of 127.0.0.1 that answers every
/// <c>POST /backchannel-logout</c> carrying a <c>logout_token</c> form field with 200 and counts it. It validates nothing (the
/// bench measures the IdP's delivery, not a receiver; samples/ClientApp has a real one).
/// </summary>
internal sealed class LogoutReceiver : IAsyncDisposable
{
    private WebApplication? _app;
    private long _received;

    /// <summary>The POSTs received that carried a logout token.</summary>
    public long Received => Interlocked.Read(ref _received);

    /// <summary>The endpoint's address, once started.</summary>
    public Uri Uri { get; private set; } = new("http://127.0.0.1/backchannel-logout");

    public async Task<Uri> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.MapPost("/backchannel-logout", async (HttpRequest request) =>
        {
            var form = await request.ReadFormAsync();
            if (form.ContainsKey("logout_token"))
            {
                Interlocked.Increment(ref _received);
                return Results.Ok();
            }

            return Results.BadRequest();
        });
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Uri = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/backchannel-logout");
        return Uri;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
