using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MultiSession.Bench;

/// <summary>
/// The soak's relying party for back-channel logout: <c>POST /backchannel-logout</c> on 127.0.0.1, registered as the soak
/// client's <c>BackChannelLogoutUri</c> on both IdP instances. It checks the logout token's shape (a JWT with
/// <c>typ: logout+jwt</c>, <c>aud</c> the soak client, the back-channel <c>events</c> member, a <c>sid</c>, no <c>nonce</c>;
/// not its signature: each instance signs with ephemeral keys of its own), answers 200 and logs the <c>sid</c>; anything
/// else gets 400 and is counted.
/// </summary>
internal sealed class SoakReceiver : IAsyncDisposable
{
    private const string BackChannelEvent = "http://schemas.openid.net/event/backchannel-logout";
    private readonly WebApplication _app;

    private SoakReceiver(WebApplication app, Uri address)
    {
        _app = app;
        LogoutUri = new Uri(address, "/backchannel-logout");
    }

    public Uri LogoutUri { get; }

    /// <summary>Every <c>sid</c> received, with how many times (a delivery may be repeated when an instance dies after posting).</summary>
    public ConcurrentDictionary<string, int> Sids { get; } = new(StringComparer.Ordinal);

    public int Rejected => _rejected;

    /// <summary>Repeated deliveries: the sid, when it first arrived and when again (run time, from <see cref="Clock"/>).</summary>
    public ConcurrentQueue<(string Sid, TimeSpan First, TimeSpan Again)> Repeats { get; } = new();

    /// <summary>The run's clock, for <see cref="Repeats"/>.</summary>
    public Func<TimeSpan> Clock { get; set; } = () => TimeSpan.Zero;

    private readonly ConcurrentDictionary<string, TimeSpan> _firstSeen = new(StringComparer.Ordinal);

    private int _rejected;

    public static async Task<SoakReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        SoakReceiver? receiver = null;
        app.MapPost("/backchannel-logout", async (HttpContext context) =>
        {
            var form = await context.Request.ReadFormAsync();
            return receiver!.Accept(form["logout_token"].ToString()) ? Results.Ok() : Results.BadRequest();
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver = new SoakReceiver(app, new Uri(address));
        return receiver;
    }

    private bool Accept(string token)
    {
        using var payload = SoakJwt.Part(token, 1);
        var valid = SoakJwt.Header(token, "typ") == "logout+jwt"
            && payload is { RootElement.ValueKind: JsonValueKind.Object }
            && payload.RootElement.TryGetProperty("events", out var events) && events.ValueKind == JsonValueKind.Object
            && events.TryGetProperty(BackChannelEvent, out _)
            && !payload.RootElement.TryGetProperty("nonce", out _)
            && payload.RootElement.TryGetProperty("aud", out var audience)
            && (audience.ValueKind == JsonValueKind.String ? audience.GetString() == SoakBrowser.ClientId
                : audience.ValueKind == JsonValueKind.Array && audience.EnumerateArray().Any(a => a.GetString() == SoakBrowser.ClientId))
            && SoakJwt.Claim(token, "sub") is { Length: > 0 };
        var sid = SoakJwt.Claim(token, "sid");
        if (!valid || sid is null)
        {
            Interlocked.Increment(ref _rejected);
            return false;
        }

        var now = Clock();
        if (Sids.AddOrUpdate(sid, 1, (_, count) => count + 1) > 1)
        {
            Repeats.Enqueue((sid, _firstSeen.GetValueOrDefault(sid), now));
        }
        else
        {
            _firstSeen[sid] = now;
        }

        return true;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
