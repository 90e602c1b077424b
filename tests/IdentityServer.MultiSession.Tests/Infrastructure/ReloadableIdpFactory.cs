using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityServer.MultiSession.Tests.Infrastructure;

/// <summary>
/// The real IdpHost (as <see cref="IdpFactory"/>) with one more configuration source, added last, that a test changes while the
/// host runs: it fires the configuration's reload token exactly as a changed appsettings.json does.
/// </summary>
public sealed class ReloadableIdpFactory : IdpFactory
{
    public ReloadableSettings Reloadable { get; } = new();

    /// <summary>The options every service of the library reads.</summary>
    public MultiSessionOptions Current => Services.GetRequiredService<IOptionsMonitor<MultiSessionOptions>>().CurrentValue;

    /// <summary>Replaces the reloadable settings and fires the reload token.</summary>
    public void Reload(params (string Key, string? Value)[] settings) => Reloadable.Replace(settings);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureAppConfiguration(configuration => configuration.Add(Reloadable));
    }

    /// <summary>An in-memory configuration source and provider that can be changed and reloaded.</summary>
    public sealed class ReloadableSettings : ConfigurationProvider, IConfigurationSource
    {
        public IConfigurationProvider Build(IConfigurationBuilder builder) => this;

        public void Replace(IEnumerable<(string Key, string? Value)> settings)
        {
            Data = settings.ToDictionary(s => s.Key, s => s.Value, StringComparer.OrdinalIgnoreCase);
            OnReload();
        }
    }
}
