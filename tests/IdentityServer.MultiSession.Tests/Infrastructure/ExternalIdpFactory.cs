using IdpHost.External;

namespace IdentityServer.MultiSession.Tests.Infrastructure;

/// <summary>
/// The IdpHost under test with an external OpenID Connect provider configured (<c>ExternalProviders:Oidc</c>): a second real
/// IdpHost (<see cref="UpstreamIdpFactory"/>) on a loopback port, reached by the host's OIDC handler over real HTTP.
/// </summary>
public class ExternalIdpFactory : IdpFactory
{
    public const string ProviderDisplayName = "Upstream IdP";

    public ExternalIdpFactory()
    {
        Upstream = StartUpstream();
        Settings[ExternalProviderExtensions.Section + ":Authority"] = Upstream.BaseUri.ToString();
        Settings[ExternalProviderExtensions.Section + ":ClientId"] = UpstreamIdpFactory.DownstreamClientId;
        Settings[ExternalProviderExtensions.Section + ":ClientSecret"] = UpstreamIdpFactory.DownstreamClientSecret;
        Settings[ExternalProviderExtensions.Section + ":DisplayName"] = ProviderDisplayName;
    }

    /// <summary>
    /// Starts the upstream host; a start that fails (once seen only in a full parallel run on a loaded machine) is tried
    /// again up to twice, and a last failure names every attempt's error.
    /// </summary>
    private static UpstreamIdpFactory StartUpstream()
    {
        var errors = new List<Exception>();
        for (var attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                return new UpstreamIdpFactory("http://localhost" + ExternalProviderExtensions.CallbackPath);
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or TimeoutException or AggregateException)
            {
                errors.Add(e);
            }
        }

        throw new AggregateException("The upstream IdpHost did not start.", errors);
    }

    /// <summary>The upstream provider.</summary>
    public UpstreamIdpFactory Upstream { get; }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            Upstream.Dispose();
        }
    }
}

/// <summary>The host with an external provider, on SQLite, as a class fixture.</summary>
public sealed class SqliteExternalIdpFactory : ExternalIdpFactory;

/// <summary>The host with an external provider, on PostgreSQL, as a class fixture.</summary>
public sealed class PostgreSqlExternalIdpFactory : ExternalIdpFactory
{
    public PostgreSqlExternalIdpFactory()
    {
        Provider = "PostgreSQL";
    }
}
