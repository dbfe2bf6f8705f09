using System.Reflection;
using Microsoft.DurableTask;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Compliance.SelfHost.Binding;

/// <summary>Registers the app's orchestrator and activity functions with the Durable Task worker.</summary>
public static class DurableFunctionRegistration
{
    /// <summary>
    /// Adds every orchestrator and activity of <paramref name="catalog"/>. Each declares its real input type to the worker:
    /// that is what lets <c>ctx.GetInput&lt;T&gt;()</c> and typed input parameters work (a bare object input fails the cast).
    /// </summary>
    public static void AddFunctions(this DurableTaskRegistry registry, FunctionCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(catalog);
        foreach (var orchestrator in catalog.OfKind(FunctionKind.Orchestrator))
        {
            registry.AddOrchestrator(orchestrator.Name, () => new FunctionOrchestrator(orchestrator));
        }

        foreach (var activity in catalog.OfKind(FunctionKind.Activity))
        {
            registry.AddActivity(activity.Name, services => new FunctionActivity(activity, services));
        }
    }
}

/// <summary>An orchestrator function as a Durable Task orchestrator: the static method, its context and its input parameter.</summary>
internal sealed class FunctionOrchestrator(FunctionDescriptor function) : ITaskOrchestrator
{
    public Type InputType => function.InputType ?? typeof(object);

    public Type OutputType => function.OutputType == typeof(void) ? typeof(object) : function.OutputType ?? typeof(object);

    public async Task<object?> RunAsync(TaskOrchestrationContext context, object? input)
    {
        var arguments = function.Method.GetParameters()
            .Select(p => p.ParameterType == typeof(TaskOrchestrationContext) ? context : input)
            .ToArray();
        object? returned;
        try
        {
            returned = function.Method.Invoke(null, arguments);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            throw;
        }

        // Awaited here, on the orchestration's own scheduler, as the Functions host does.
        if (returned is Task task)
        {
            await task;
            var type = task.GetType();
            return type.IsGenericType && type.GetGenericArguments()[0].Name != "VoidTaskResult"
                ? type.GetProperty(nameof(Task<object>.Result))!.GetValue(task)
                : null;
        }

        return returned;
    }
}

/// <summary>An activity function as a Durable Task activity: a new instance of its class from DI per call.</summary>
internal sealed class FunctionActivity(FunctionDescriptor function, IServiceProvider services) : ITaskActivity
{
    public Type InputType => function.InputType ?? typeof(object);

    public Type OutputType => function.OutputType == typeof(void) ? typeof(object) : function.OutputType ?? typeof(object);

    public Task<object?> RunAsync(TaskActivityContext context, object? input)
    {
        var stopping = services.GetService<IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None;
        return FunctionInvoker.InvokeAsync(function, new FunctionInvoker.Bindings(services, stopping, TriggerValue: input));
    }
}
