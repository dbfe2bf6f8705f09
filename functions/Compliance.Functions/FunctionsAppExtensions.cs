using System.Reflection;
using Compliance.Functions.Http;
using Compliance.Functions.Mail.Graph;
using Compliance.Functions.Maintenance;
using Compliance.Functions.Studies;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Compliance.Functions;

/// <summary>The services of the Functions app. Both hosts call <see cref="AddComplianceFunctions"/>, so they run the same code.</summary>
public static class FunctionsAppExtensions
{
    /// <summary>The assembly whose <c>[Function]</c> methods both hosts serve.</summary>
    public static Assembly FunctionsAssembly => typeof(FunctionsAppExtensions).Assembly;

    /// <summary>Adds the domain, its storage and the options the functions read.</summary>
    public static IHostApplicationBuilder AddComplianceFunctions(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddComplianceCore();
        builder.Services.AddOptions<HttpOptions>().BindConfiguration(HttpOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<ArtifactOptions>().BindConfiguration(ArtifactOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<Studies.ArtifactUploads>();
        builder.Services.AddSingleton<Requests.RequestCodes>();
        builder.Services.AddSingleton<Requests.VerificationCodeIssuer>();
        builder.Services.AddSingleton<Requests.CodeEntry>();
        builder.Services.AddSingleton<Compliance.Portal.Layout.PortalRenderer>();
        builder.Services.AddSingleton<Portal.PortalPages>();
        builder.Services.AddSingleton<Portal.FormGuard>();
        builder.Services.AddSingleton<Portal.StudyNotices>();
        builder.Services.AddSingleton<Portal.StatusPageReader>();
        builder.Services.AddOptions<Console.ConsoleOptions>().BindConfiguration(Console.ConsoleOptions.SectionName);
        builder.Services.AddSingleton<Console.ConsoleFiles>();
        builder.Services.AddSingleton<Requests.RequestDecisions>();
        builder.Services.AddSingleton<Requests.RequestIntake>();
        builder.Services.AddSingleton<ClientRateLimits>();
        builder.Services.AddSingleton<Mail.MailIntakeGateway>();
        builder.Services.AddSingleton<Health.HealthChecks>();
        builder.Services.AddSingleton<Mail.MailReplies>();
        builder.Services.AddOptions<Retention.SafeguardingOptions>().BindConfiguration(Retention.SafeguardingOptions.SectionName);
        builder.Services.AddOptions<Suppliers.SupplierAccessOptions>().BindConfiguration(Suppliers.SupplierAccessOptions.SectionName);
        builder.AddGraphMailboxConnector();
        builder.Services.AddOptions<HistoryPurgeOptions>().BindConfiguration(HistoryPurgeOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<WatchdogOptions>().BindConfiguration(WatchdogOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();

        // The meter and the gauges' cached reading of storage (docs/operations.md#traces-and-metrics); exporters are each host's.
        builder.Services.AddMetrics();
        builder.Services.AddOptions<Telemetry.TelemetryOptions>().BindConfiguration(Telemetry.TelemetryOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<Telemetry.OperationsSnapshot>();
        builder.Services.AddSingleton<Telemetry.ComplianceMetrics>();
        builder.Services.AddHostedService<Telemetry.OperationsSnapshotRefresher>();
        return builder;
    }
}
