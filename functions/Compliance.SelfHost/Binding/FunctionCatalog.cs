using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace Compliance.SelfHost.Binding;

/// <summary>What kind of trigger a function has.</summary>
public enum FunctionKind
{
    Http,
    Orchestrator,
    Activity,
    Timer,
}

/// <summary>One <c>[Function]</c> method of the Functions app and what the self-host needs to serve it.</summary>
/// <param name="Name">The function name, as in <c>functions.metadata</c>.</param>
/// <param name="Kind">Its trigger.</param>
/// <param name="Method">The method to invoke.</param>
/// <param name="Route">HTTP: the route template below the prefix.</param>
/// <param name="HttpMethods">HTTP: the verbs, upper case.</param>
/// <param name="Schedule">Timer: the schedule expression as written, e.g. <c>%PurgeHistorySchedule%</c>.</param>
/// <param name="RunOnStartup">Timer: whether it also runs when the host starts.</param>
/// <param name="InputType">Orchestrator or activity: the input's type.</param>
/// <param name="OutputType">Orchestrator or activity: the output's type.</param>
public sealed record FunctionDescriptor(
    string Name,
    FunctionKind Kind,
    MethodInfo Method,
    string? Route = null,
    IReadOnlyList<string>? HttpMethods = null,
    string? Schedule = null,
    bool RunOnStartup = false,
    Type? InputType = null,
    Type? OutputType = null);

/// <summary>
/// Every <c>[Function]</c> of an assembly, read from its trigger attributes. A function with a trigger or a parameter the
/// self-host cannot bind stops start-up with a message naming it, so nothing the Functions app serves is silently left out.
/// </summary>
public sealed class FunctionCatalog
{
    private FunctionCatalog(IReadOnlyList<FunctionDescriptor> functions) => Functions = functions;

    public IReadOnlyList<FunctionDescriptor> Functions { get; }

    public IEnumerable<FunctionDescriptor> OfKind(FunctionKind kind) => Functions.Where(f => f.Kind == kind);

    /// <summary>Reads every function of <paramref name="assembly"/>.</summary>
    public static FunctionCatalog Read(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var functions = new List<FunctionDescriptor>();
        var problems = new List<string>();
        foreach (var type in assembly.GetTypes())
        {
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            {
                if (method.GetCustomAttribute<FunctionAttribute>() is not { } function)
                {
                    continue;
                }

                try
                {
                    functions.Add(Describe(function.Name, method));
                }
                catch (NotSupportedException ex)
                {
                    problems.Add(ex.Message);
                }
            }
        }

        if (problems.Count > 0)
        {
            throw new NotSupportedException("The self-host cannot serve every function of the app:\n  " + string.Join("\n  ", problems));
        }

        var duplicate = functions.GroupBy(f => f.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new NotSupportedException($"Two functions are named '{duplicate.Key}'.");
        }

        return new FunctionCatalog(functions.OrderBy(f => f.Kind).ThenBy(f => f.Name, StringComparer.Ordinal).ToList());
    }

    private static FunctionDescriptor Describe(string name, MethodInfo method)
    {
        var where = $"{name} ({method.DeclaringType?.FullName}.{method.Name})";
        var parameters = method.GetParameters();
        if (!method.IsPublic || (!method.IsStatic && method.DeclaringType is { IsAbstract: true }))
        {
            throw new NotSupportedException($"{where}: a function must be a public method of a concrete class.");
        }

        if (parameters.SingleOrDefault(p => p.GetCustomAttribute<HttpTriggerAttribute>() is not null) is { } httpParameter)
        {
            var trigger = httpParameter.GetCustomAttribute<HttpTriggerAttribute>()!;
            if (httpParameter.ParameterType != typeof(HttpRequest))
            {
                throw new NotSupportedException($"{where}: the HTTP trigger must bind to HttpRequest (ASP.NET Core integration).");
            }

            if (UnwrapTask(method.ReturnType) is var result && !typeof(IActionResult).IsAssignableFrom(result))
            {
                throw new NotSupportedException($"{where}: an HTTP function must return IActionResult or Task<IActionResult>.");
            }

            var route = trigger.Route ?? name;
            var routeNames = RouteParameterNames(route);
            RequireBindable(where, parameters, p => p == httpParameter || routeNames.Contains(p.Name!, StringComparer.OrdinalIgnoreCase));
            var verbs = (trigger.Methods is { Length: > 0 } m ? m : ["GET", "POST"]).Select(v => v.ToUpperInvariant()).ToList();
            return new FunctionDescriptor(name, FunctionKind.Http, method, Route: route, HttpMethods: verbs);
        }

        if (parameters.SingleOrDefault(p => p.GetCustomAttribute<OrchestrationTriggerAttribute>() is not null) is { } orchestration)
        {
            if (!method.IsStatic || orchestration.ParameterType != typeof(TaskOrchestrationContext))
            {
                throw new NotSupportedException($"{where}: an orchestrator must be a static method taking TaskOrchestrationContext.");
            }

            var inputs = parameters.Where(p => p != orchestration).ToList();
            if (inputs.Count > 1)
            {
                throw new NotSupportedException($"{where}: an orchestrator takes its context and at most one input parameter.");
            }

            return new FunctionDescriptor(name, FunctionKind.Orchestrator, method, InputType: inputs.FirstOrDefault()?.ParameterType ?? typeof(object), OutputType: UnwrapTask(method.ReturnType));
        }

        if (parameters.SingleOrDefault(p => p.GetCustomAttribute<ActivityTriggerAttribute>() is not null) is { } activity)
        {
            RequireBindable(where, parameters, p => p == activity);
            return new FunctionDescriptor(name, FunctionKind.Activity, method, InputType: activity.ParameterType, OutputType: UnwrapTask(method.ReturnType));
        }

        if (parameters.SingleOrDefault(p => p.GetCustomAttribute<TimerTriggerAttribute>() is not null) is { } timer)
        {
            var trigger = timer.GetCustomAttribute<TimerTriggerAttribute>()!;
            RequireBindable(where, parameters, p => p == timer);
            return new FunctionDescriptor(name, FunctionKind.Timer, method, Schedule: trigger.Schedule, RunOnStartup: trigger.RunOnStartup);
        }

        var triggers = parameters.SelectMany(p => p.GetCustomAttributes()).Select(a => a.GetType().Name).ToList();
        throw new NotSupportedException($"{where}: its trigger ({string.Join(", ", triggers)}) is not one the self-host serves (HTTP, orchestration, activity, timer).");
    }

    /// <summary>Every other parameter must be one the invoker supplies: a Durable client or a cancellation token.</summary>
    private static void RequireBindable(string where, ParameterInfo[] parameters, Func<ParameterInfo, bool> boundByTrigger)
    {
        foreach (var p in parameters)
        {
            if (boundByTrigger(p) ||
                p.ParameterType == typeof(CancellationToken) ||
                (p.ParameterType == typeof(DurableTaskClient) && p.GetCustomAttribute<DurableClientAttribute>() is not null))
            {
                continue;
            }

            throw new NotSupportedException($"{where}: the self-host cannot bind parameter '{p.Name}' of type {p.ParameterType.Name}.");
        }
    }

    internal static Type UnwrapTask(Type returnType)
    {
        if (returnType == typeof(Task) || returnType == typeof(ValueTask) || returnType == typeof(void))
        {
            return typeof(void);
        }

        return returnType.IsGenericType && (returnType.GetGenericTypeDefinition() == typeof(Task<>) || returnType.GetGenericTypeDefinition() == typeof(ValueTask<>))
            ? returnType.GetGenericArguments()[0]
            : returnType;
    }

    private static HashSet<string> RouteParameterNames(string route) =>
        Microsoft.AspNetCore.Routing.Patterns.RoutePatternFactory.Parse(route).Parameters.Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
}
