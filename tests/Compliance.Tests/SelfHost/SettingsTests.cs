using System.Text.Json;
using Compliance.Tests.Infrastructure;

namespace Compliance.Tests.SelfHost;

/// <summary>The two hosts read one set of settings: the sample for 'func start' lists every setting the self-host gives the app.</summary>
public sealed class SettingsTests
{
    private static readonly JsonDocumentOptions Lenient = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    [Fact]
    public void The_local_settings_sample_lists_every_app_setting_of_the_self_host()
    {
        using var sample = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repository.Root, "local.settings.sample.json")), Lenient);
        var sampleKeys = sample.RootElement.GetProperty("Values").EnumerateObject().Select(p => p.Name.Replace("__", ":", StringComparison.Ordinal)).ToHashSet(StringComparer.OrdinalIgnoreCase);

        using var appSettings = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repository.Root, "functions", "Compliance.SelfHost", "appsettings.json")), Lenient);
        var appKeys = Flatten(appSettings.RootElement, prefix: null)
            .Where(k => !k.StartsWith("Logging:", StringComparison.Ordinal) && !k.StartsWith("SelfHost:", StringComparison.Ordinal))
            .ToList();

        appKeys.ShouldNotBeEmpty();
        appKeys.ShouldAllBe(k => sampleKeys.Contains(k), "a setting the self-host gives the app is missing from local.settings.sample.json");
        sampleKeys.ShouldContain("AzureWebJobsStorage");
        sampleKeys.ShouldContain("FUNCTIONS_WORKER_RUNTIME");
    }

    [Fact]
    public void Host_json_takes_the_task_hub_from_the_shared_setting()
    {
        using var host = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repository.Root, "functions", "Compliance.Functions", "host.json")), Lenient);
        var durable = host.RootElement.GetProperty("extensions").GetProperty("durableTask");

        durable.GetProperty("hubName").GetString().ShouldBe("%DurableTaskHubName%");
        durable.GetProperty("storageProvider").GetProperty("connectionName").GetString().ShouldBe("AzureWebJobsStorage");
        durable.GetProperty("storageProvider").GetProperty("partitionCount").GetInt32().ShouldBe(new Compliance.SelfHost.Engine.DurableEngineOptions().PartitionCount);
        host.RootElement.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString().ShouldBe(Compliance.SelfHost.Binding.HttpFunctionEndpoints.RoutePrefix);
    }

    [Fact]
    public void Host_json_versions_workflows_as_the_self_host_does()
    {
        using var host = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repository.Root, "functions", "Compliance.Functions", "host.json")), Lenient);
        var durable = host.RootElement.GetProperty("extensions").GetProperty("durableTask");

        durable.GetProperty("defaultVersion").GetString().ShouldBe(Compliance.Functions.WorkflowVersion.Current);
        new Compliance.SelfHost.Engine.DurableEngineOptions().WorkflowVersion.ShouldBe(Compliance.Functions.WorkflowVersion.Current);
        durable.GetProperty("versionMatchStrategy").GetString().ShouldBe(nameof(Microsoft.DurableTask.Worker.DurableTaskWorkerOptions.VersionMatchStrategy.CurrentOrOlder));
        durable.GetProperty("versionFailureStrategy").GetString().ShouldBe(nameof(Microsoft.DurableTask.Worker.DurableTaskWorkerOptions.VersionFailureStrategy.Reject));
    }

    private static IEnumerable<string> Flatten(JsonElement element, string? prefix) => element.ValueKind == JsonValueKind.Object
        ? element.EnumerateObject().SelectMany(p => Flatten(p.Value, prefix is null ? p.Name : $"{prefix}:{p.Name}"))
        : [prefix!];
}
