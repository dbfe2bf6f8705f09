using System.Reflection;
using System.Text.Json;
using Compliance.Functions;
using Compliance.SelfHost.Binding;
using Compliance.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace Compliance.Tests.SelfHost;

/// <summary>The self-host serves every function of the Functions app, and the Functions build lists every one of them.</summary>
public sealed class FunctionCatalogTests(TestEnvironment env)
{
    /// <summary>Every <c>[Function]</c> in the app, found independently of the self-host's own reading.</summary>
    private static readonly string[] DeclaredFunctions = FunctionsAppExtensions.FunctionsAssembly.GetTypes()
        .SelectMany(t => t.GetMethods())
        .Select(m => m.GetCustomAttribute<FunctionAttribute>()?.Name)
        .OfType<string>()
        .Order(StringComparer.Ordinal)
        .ToArray();

    [Fact]
    public void The_app_has_functions_of_every_kind_the_self_host_binds()
    {
        DeclaredFunctions.ShouldNotBeEmpty();
        var catalog = env.Host.Catalog;
        foreach (var kind in Enum.GetValues<FunctionKind>())
        {
            catalog.OfKind(kind).ShouldNotBeEmpty($"no {kind} function to prove the binding with");
        }
    }

    [Fact]
    public void Every_function_of_the_app_is_in_the_self_hosts_catalog()
    {
        env.Host.Catalog.Functions.Select(f => f.Name).Order(StringComparer.Ordinal).ShouldBe(DeclaredFunctions);
    }

    [Fact]
    public void Every_http_function_is_mapped_on_its_own_route_from_the_site_root()
    {
        var endpoints = env.Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        foreach (var function in env.Host.Catalog.OfKind(FunctionKind.Http))
        {
            var endpoint = endpoints.SingleOrDefault(e => e.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName == function.Name);
            endpoint.ShouldNotBeNull($"{function.Name} is not mapped");
            endpoint.RoutePattern.RawText.ShouldBe($"/{function.Route}");
            endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods.ShouldBe(function.HttpMethods!, ignoreOrder: true);
        }
    }

    [Fact]
    public async Task Every_orchestrator_and_activity_is_registered_with_the_worker()
    {
        // Scheduling an orchestration name the worker does not know fails it at once; every known one starts running.
        foreach (var orchestrator in env.Host.Catalog.OfKind(FunctionKind.Orchestrator))
        {
            orchestrator.InputType.ShouldNotBe(typeof(object), $"{orchestrator.Name} should take a typed input parameter");
        }

        var unknown = await env.Durable.ScheduleNewOrchestrationInstanceAsync("NoSuchOrchestrator", cancellation: TestContext.Current.CancellationToken);
        var failed = await Eventually.GetAsync(
            () => env.Durable.GetInstanceAsync(unknown, getInputsAndOutputs: true, TestContext.Current.CancellationToken),
            i => i is { IsCompleted: true },
            because: "an unknown orchestrator to fail");
        failed!.RuntimeStatus.ShouldBe(Microsoft.DurableTask.Client.OrchestrationRuntimeStatus.Failed);
    }

    [Fact]
    public void The_built_functions_metadata_lists_every_function()
    {
        var metadataPath = Path.Combine(Repository.OutputOf("Compliance.Functions"), "functions.metadata");
        File.Exists(metadataPath).ShouldBeTrue($"the Functions app's build should produce {metadataPath}");

        using var metadata = JsonDocument.Parse(File.ReadAllText(metadataPath));
        var listed = metadata.RootElement.EnumerateArray().Select(f => f.GetProperty("name").GetString()!).Order(StringComparer.Ordinal).ToArray();

        listed.ShouldBe(DeclaredFunctions);
    }

    [Fact]
    public void A_function_the_self_host_cannot_serve_stops_start_up_with_its_name()
    {
        var error = Should.Throw<NotSupportedException>(() => FunctionCatalog.Read(typeof(UnservableFunctions).Assembly));

        error.Message.ShouldContain(nameof(UnservableFunctions.FromAQueue));
        error.Message.ShouldContain(nameof(UnservableFunctions.WithContext));
    }
}

/// <summary>Functions the self-host must refuse to start with (they live in the test assembly, not the app).</summary>
public static class UnservableFunctions
{
    [Function(nameof(FromAQueue))]
    public static void FromAQueue([SomeQueueTrigger] string message) => _ = message;

    [Function(nameof(WithContext))]
    public static void WithContext([ActivityTrigger] string input, FunctionContext context) => _ = (input, context);
}

/// <summary>A trigger the self-host has no binding for, standing in for the queue, blob or Event Grid triggers.</summary>
[AttributeUsage(AttributeTargets.Parameter)]
public sealed class SomeQueueTriggerAttribute : Microsoft.Azure.Functions.Worker.Extensions.Abstractions.TriggerBindingAttribute;
