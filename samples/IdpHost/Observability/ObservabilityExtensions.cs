using System.Net;
using IdentityServer.MultiSession;
using IdentityServer.MultiSession.Metrics;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace IdpHost.Observability;

/// <summary>
/// The sample's audit log and metrics: the multi-session events go to the <c>Audit</c> logger (<see cref="AuditLogEvents"/>),
/// and the library's meter is exported with OpenTelemetry: a Prometheus scraping endpoint at <see cref="MetricsPath"/>, and
/// OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is configured.
/// </summary>
public static class ObservabilityExtensions
{
    /// <summary>The path of the Prometheus scraping endpoint.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>
    /// Registers the audit hooks and OpenTelemetry metrics. Settings: <c>Metrics:Prometheus:Enabled</c> (default <c>true</c>),
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (and the other standard <c>OTEL_*</c> variables) for OTLP.
    /// </summary>
    public static IServiceCollection AddIdpObservability(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddSingleton<AuditLogEvents>();
        services.Configure<MultiSessionOptions>(options => options.EventsType ??= typeof(AuditLogEvents));

        var prometheus = configuration.GetValue("Metrics:Prometheus:Enabled", defaultValue: true);
        var otlp = !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        if (!prometheus && !otlp)
        {
            return services;
        }

        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("IdpHost"))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(MultiSessionMetrics.MeterName);
                if (prometheus)
                {
                    metrics.AddPrometheusExporter();
                }

                if (otlp)
                {
                    metrics.AddOtlpExporter();
                }
            });
        return services;
    }

    /// <summary>
    /// Answers Prometheus scrapes at <see cref="MetricsPath"/>, to local callers only (loopback, or an in-process test server)
    /// unless <c>Metrics:Prometheus:AllowRemote</c> is <c>true</c>: the figures are not personal, but they tell an outsider how
    /// busy the IdP is. Behind a proxy, <c>UseForwardedHeaders</c> makes the forwarded client the caller, so remote scrapes
    /// through the proxy stay refused (404) until allowed.
    /// </summary>
    public static WebApplication UseIdpMetricsEndpoint(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var configuration = app.Configuration;
        var prometheus = configuration.GetValue("Metrics:Prometheus:Enabled", defaultValue: true);
        var allowRemote = configuration.GetValue("Metrics:Prometheus:AllowRemote", defaultValue: false);
        var otlp = string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]) ? "off" : "on";
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ObservabilityExtensions));
        if (!prometheus)
        {
            IdpLog.MetricsConfigured(logger, "(none)", "disabled", otlp);
            return app;
        }

        app.UseOpenTelemetryPrometheusScrapingEndpoint(context =>
            context.Request.Path == MetricsPath && (allowRemote || IsLocal(context.Connection.RemoteIpAddress)));
        IdpLog.MetricsConfigured(logger, MetricsPath, allowRemote ? "any caller" : "local callers only", otlp);
        return app;
    }

    // A request without a client address (a Unix socket behind a proxy, for example) is not known to be local: refused.
    private static bool IsLocal(IPAddress? address) => address is not null && IPAddress.IsLoopback(address);
}
