using Compliance.Functions.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Compliance.SelfHost.Telemetry;

/// <summary>Where the self-host sends its traces and metrics (<c>Telemetry:Exporter</c>).</summary>
public enum TelemetryExporter
{
    /// <summary>Nowhere, and nothing is collected: the default.</summary>
    None,

    /// <summary>Printed to standard output, span by span and, every minute, the metrics.</summary>
    Console,

    /// <summary>To an OpenTelemetry collector over OTLP/gRPC at <c>Telemetry:OtlpEndpoint</c>.</summary>
    Otlp,
}

/// <summary>The self-host's exporter settings (configuration section <c>Telemetry</c>, beside the shared <see cref="TelemetryOptions"/>).</summary>
public sealed class SelfHostTelemetryOptions
{
    public TelemetryExporter Exporter { get; set; } = TelemetryExporter.None;

    /// <summary>The collector's OTLP/gRPC address; unset, the exporter's own default (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, else <c>http://localhost:4317</c>).</summary>
    public Uri? OtlpEndpoint { get; set; }
}

/// <summary>
/// Traces and metrics in the self-host (docs/operations.md#traces-and-metrics): the Functions app's pipeline
/// (<see cref="TelemetryExtensions.AddComplianceOpenTelemetry"/>) with the spans of the HTTP requests this host serves,
/// and the exporter <c>Telemetry:Exporter</c> names. Off by default.
/// </summary>
public static class SelfHostTelemetry
{
    /// <summary>Adds the pipeline and the configured exporter; returns what was configured (nothing for <see cref="TelemetryExporter.None"/>).</summary>
    public static SelfHostTelemetryOptions AddSelfHostTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.GetSection(TelemetryOptions.SectionName).Get<SelfHostTelemetryOptions>() ?? new SelfHostTelemetryOptions();
        switch (options.Exporter)
        {
            case TelemetryExporter.Console:
                AddPipeline(services)
                    .WithTracing(tracing => tracing.AddConsoleExporter())
                    .WithMetrics(metrics => metrics.AddConsoleExporter());
                break;
            case TelemetryExporter.Otlp:
                AddPipeline(services)
                    .WithTracing(tracing => tracing.AddOtlpExporter(otlp => UseEndpoint(otlp, options)))
                    .WithMetrics(metrics => metrics.AddOtlpExporter(otlp => UseEndpoint(otlp, options)));
                break;
        }

        return options;
    }

    /// <summary>
    /// The pipeline without an exporter: the shared one, and a server span for every HTTP request the host serves, but not
    /// for the Durable engine's gRPC calls between its worker and its sidecar (transport, hundreds a minute). Add an exporter
    /// to what it returns (the traces test adds one in memory).
    /// </summary>
    public static OpenTelemetryBuilder AddPipeline(IServiceCollection services) =>
        services.AddComplianceOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName))
            .WithTracing(tracing => tracing.AddAspNetCoreInstrumentation(http => http.Filter = context => !IsGrpc(context.Request)));

    /// <summary>The <c>service.name</c> the self-host's spans and metrics carry.</summary>
    public const string ServiceName = "compliance-selfhost";

    /// <summary>Only a configured endpoint is set, so that the exporter's environment variables apply otherwise.</summary>
    private static void UseEndpoint(OtlpExporterOptions otlp, SelfHostTelemetryOptions options)
    {
        if (options.OtlpEndpoint is { } endpoint)
        {
            otlp.Endpoint = endpoint;
        }
    }

    private static bool IsGrpc(HttpRequest request) =>
        request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true;
}
