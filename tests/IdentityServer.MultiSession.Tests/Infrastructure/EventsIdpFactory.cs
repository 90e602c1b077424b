using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityServer.MultiSession.Tests.Infrastructure;

/// <summary>The real IdpHost whose multi-session events go to an <see cref="EventRecorder"/> (the <c>OnXxx</c> delegates).</summary>
public class EventsIdpFactory : IdpFactory
{
    public EventRecorder Events { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.Configure<MultiSessionOptions>(options =>
        {
            // The delegates replace the sample's audit hooks (EventsType) for these tests.
            options.EventsType = null;
            options.Events = Events.CreateEvents();
        }));
    }
}
