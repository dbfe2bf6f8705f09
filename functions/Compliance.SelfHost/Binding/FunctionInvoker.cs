using System.Globalization;
using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Compliance.SelfHost.Binding;

/// <summary>
/// Calls a function method the way the Functions host does: a new instance of its class from DI per call (unless static),
/// the trigger's value for the trigger parameter, and the Durable client, route values and cancellation token by parameter.
/// </summary>
public static class FunctionInvoker
{
    private static readonly AsyncLocal<FunctionDescriptor?> Running = new();

    /// <summary>
    /// The function whose call the current code runs within (an HTTP request's, an activity's or a timer's run), or null
    /// outside any: for diagnostics that attribute work to a step, such as the storage-call counts of docs/benchmarks.md.
    /// </summary>
    public static FunctionDescriptor? Current => Running.Value;

    /// <summary>What a call can supply to a function's parameters.</summary>
    public sealed record Bindings(
        IServiceProvider Services,
        CancellationToken CancellationToken,
        object? TriggerValue = null,
        IReadOnlyDictionary<string, object?>? RouteValues = null);

    /// <summary>Invokes <paramref name="function"/> and returns its result (null for void and Task).</summary>
    public static async Task<object?> InvokeAsync(FunctionDescriptor function, Bindings bindings)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(bindings);
        // Set in this async method's own context: it flows into everything the call awaits and ends when the call returns.
        Running.Value = function;
        var method = function.Method;
        var arguments = method.GetParameters().Select(p => Bind(p, bindings)).ToArray();
        var instance = method.IsStatic ? null : ActivatorUtilities.CreateInstance(bindings.Services, method.DeclaringType!);
        try
        {
            object? returned;
            try
            {
                returned = method.Invoke(instance, arguments);
            }
            catch (TargetInvocationException ex) when (ex.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
                throw;
            }

            return await UnwrapAsync(returned);
        }
        finally
        {
            switch (instance)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync();
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }
    }

    private static object? Bind(ParameterInfo parameter, Bindings bindings)
    {
        if (parameter.GetCustomAttributes().Any(a => a is HttpTriggerAttribute or ActivityTriggerAttribute or TimerTriggerAttribute or OrchestrationTriggerAttribute))
        {
            return bindings.TriggerValue;
        }

        if (parameter.ParameterType == typeof(CancellationToken))
        {
            return bindings.CancellationToken;
        }

        if (parameter.ParameterType == typeof(DurableTaskClient))
        {
            return bindings.Services.GetRequiredService<DurableTaskClient>();
        }

        if (bindings.RouteValues is not null && bindings.RouteValues.TryGetValue(parameter.Name!, out var value))
        {
            return value is null || parameter.ParameterType.IsInstanceOfType(value)
                ? value
                : Convert.ChangeType(value, Nullable.GetUnderlyingType(parameter.ParameterType) ?? parameter.ParameterType, CultureInfo.InvariantCulture);
        }

        throw new InvalidOperationException($"No value for parameter '{parameter.Name}' of {parameter.Member.Name}.");
    }

    private static async Task<object?> UnwrapAsync(object? returned)
    {
        switch (returned)
        {
            case Task task:
                await task;
                var type = task.GetType();
                return type.IsGenericType && type.GetGenericArguments()[0].Name != "VoidTaskResult"
                    ? type.GetProperty(nameof(Task<object>.Result))!.GetValue(task)
                    : null;
            case ValueTask valueTask:
                await valueTask;
                return null;
            default:
                return returned;
        }
    }
}
