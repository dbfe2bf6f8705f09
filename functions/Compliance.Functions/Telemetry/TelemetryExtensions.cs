using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using Compliance.Telemetry;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Compliance.Functions.Telemetry;

/// <summary>
/// Traces and metrics (docs/operations.md#traces-and-metrics). <see cref="AddComplianceOpenTelemetry"/> is the pipeline
/// both hosts use: which spans and meters are collected and how spans are cleaned before export; each host adds its exporter
/// (the Functions app <see cref="AddAzureMonitorTelemetry"/>, the self-host the console or OTLP).
/// </summary>
public static class TelemetryExtensions
{
    /// <summary>The Durable Task SDK's spans: a start, each orchestration episode, each activity.</summary>
    public const string DurableTaskSource = "Microsoft.DurableTask";

    /// <summary>The Azure SDK's spans (storage calls), published only with <see cref="AzureActivitySourceSwitch"/> on.</summary>
    public const string AzureSdkSources = "Azure.*";

    /// <summary>
    /// The switch that makes the Azure SDK publish its spans on <c>ActivitySource</c>s. Read once per process when the SDK is
    /// first used, so the projects that start a process set it in their runtime configuration (a
    /// <c>RuntimeHostConfigurationOption</c>); setting it here as well covers a host that did not.
    /// </summary>
    public const string AzureActivitySourceSwitch = "Azure.Experimental.EnableActivitySource";

    /// <summary>
    /// The pipeline: the product's spans and meter, the Durable Task SDK's spans and the Azure SDK's; traces start only at
    /// an entry point (<see cref="EntryPointSampler"/>); every span passes <see cref="ComplianceSpanProcessor"/> before any
    /// exporter. Add an exporter to the builder this returns.
    /// </summary>
    public static OpenTelemetryBuilder AddComplianceOpenTelemetry(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        AppContext.SetSwitch(AzureActivitySourceSwitch, true);
        return services.AddOpenTelemetry()
            .WithTracing(tracing => tracing
                .AddSource(ComplianceTelemetry.Name, DurableTaskSource, AzureSdkSources)
                .SetSampler(new ParentBasedSampler(new EntryPointSampler()))
                .AddProcessor(new ComplianceSpanProcessor()))
            .WithMetrics(metrics => metrics.AddMeter(ComplianceTelemetry.Name));
    }

    /// <summary>The setting that turns on export to Application Insights.</summary>
    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    /// <summary>
    /// In Azure, with <see cref="ConnectionStringSetting"/> set: the pipeline with the Functions worker's defaults (its
    /// invocation spans and resource) and the Azure Monitor exporter, which signs in with the app's managed identity when
    /// <c>APPLICATIONINSIGHTS_AUTHENTICATION_STRING</c> asks for Entra ID (the resource accepts no keys). Unset: nothing.
    /// </summary>
    public static IHostApplicationBuilder AddAzureMonitorTelemetry(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.Configuration[ConnectionStringSetting] is not { Length: > 0 } connectionString)
        {
            return builder;
        }

        var authentication = builder.Configuration["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"];
        builder.Services.AddComplianceOpenTelemetry()
            .UseFunctionsWorkerDefaults()
            .UseAzureMonitorExporter(options =>
            {
                options.ConnectionString = connectionString;
                options.Credential = CredentialFor(authentication);
            });
        return builder;
    }

    /// <summary>
    /// The credential <c>APPLICATIONINSIGHTS_AUTHENTICATION_STRING</c> names (<c>Authorization=AAD</c>, with
    /// <c>ClientId=…</c> for a user-assigned identity), or null for none.
    /// </summary>
    public static ManagedIdentityCredential? CredentialFor(string? authenticationString)
    {
        var parts = (authenticationString ?? string.Empty)
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2, StringSplitOptions.TrimEntries))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1], StringComparer.OrdinalIgnoreCase);
        if (!parts.TryGetValue("Authorization", out var authorization) || !authorization.Equals("AAD", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return new ManagedIdentityCredential(parts.TryGetValue("ClientId", out var clientId) && clientId.Length > 0
            ? ManagedIdentityId.FromUserAssignedClientId(clientId)
            : ManagedIdentityId.SystemAssigned);
    }
}
