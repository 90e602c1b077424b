using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace IdentityServer.MultiSession.Tests.Infrastructure;

/// <summary>The real IdpHost with the library's and the audit log's information lines captured in <see cref="FullLog"/>.</summary>
public class FullLogIdpFactory : IdpFactory
{
    public FullLog FullLog { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Logging:LogLevel:IdentityServer.MultiSession", "Information");
        builder.UseSetting("Logging:LogLevel:Audit", "Information");
        builder.ConfigureLogging(logging => logging.AddProvider(FullLog));
    }
}
