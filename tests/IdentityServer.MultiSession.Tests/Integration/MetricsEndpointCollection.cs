namespace IdentityServer.MultiSession.Tests.Integration;

/// <summary>Runs the scrape tests alone: OpenTelemetry would count the sign-ins of hosts that run beside them.</summary>
[CollectionDefinition(MetricsEndpointTests.Collection, DisableParallelization = true)]
public sealed class MetricsEndpointCollection;
