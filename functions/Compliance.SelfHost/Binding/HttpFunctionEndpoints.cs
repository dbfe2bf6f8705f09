using Compliance.Identity;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Compliance.SelfHost.Binding;

/// <summary>Serves every HTTP function on its route as <c>func start</c> does, by calling the function method.</summary>
public static class HttpFunctionEndpoints
{
    /// <summary>
    /// The route prefix of the Functions host (host.json <c>extensions.http.routePrefix</c>): none, so the portal can answer at
    /// the site root; the API's routes carry <c>api/</c> themselves (ADR 0011).
    /// </summary>
    public const string RoutePrefix = "";

    /// <summary>The path a function's route is served at.</summary>
    public static string PathOf(FunctionDescriptor function)
    {
        ArgumentNullException.ThrowIfNull(function);
        return RoutePrefix.Length == 0 ? $"/{function.Route}" : $"/{RoutePrefix}/{function.Route}";
    }

    /// <summary>The path as people read it: the site root's route (an optional parameter of length 0, ADR 0011) is <c>/</c>.</summary>
    public static string DisplayPathOf(FunctionDescriptor function) => PathOf(function).Replace("{ignored:maxlength(0)?}", string.Empty, StringComparison.Ordinal);

    public static void MapHttpFunctions(this WebApplication app, FunctionCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(catalog);
        foreach (var function in catalog.OfKind(FunctionKind.Http).Where(f => !FunctionSwitches.IsDisabled(f, app.Configuration)))
        {
            app.MapMethods(PathOf(function), function.HttpMethods!, context => InvokeAsync(function, context))
                .WithName(function.Name);
        }
    }

    /// <summary>
    /// Every response carries <see cref="Compliance.Functions.Http.ResponseHeaders"/>, and an error the routing gives without
    /// a body (no such route, a wrong method) is answered with problem details, as the functions' own errors are.
    /// </summary>
    public static void UseResponseHeadersAndRoutingProblems(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                Compliance.Functions.Http.ResponseHeaders.Apply(context.Response);
                return Task.CompletedTask;
            });
            return next(context);
        });
        app.UseStatusCodePages(async pages =>
        {
            var context = pages.HttpContext;
            if (Compliance.Functions.Http.ResponseHeaders.RoutingProblem(context.Response.StatusCode, context.Request.Method, context.Request.Path) is { } problem)
            {
                await problem.ExecuteResultAsync(new ActionContext(context, context.GetRouteData(), new ActionDescriptor()));
            }
        });
    }

    /// <summary>
    /// Removes the App Service Authentication headers unless the host is configured to trust them. In Azure the platform
    /// strips and sets them; here nothing else would, so an untrusted caller could claim any role.
    /// </summary>
    public static void UseClientPrincipalTrust(this WebApplication app, bool trustClientPrincipalHeader)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (trustClientPrincipalHeader)
        {
            return;
        }

        app.Use((context, next) =>
        {
            context.Request.Headers.Remove(ClientPrincipal.HeaderName);
            context.Request.Headers.Remove(ClientPrincipal.IdHeaderName);
            context.Request.Headers.Remove("X-MS-CLIENT-PRINCIPAL-NAME");
            context.Request.Headers.Remove("X-MS-CLIENT-PRINCIPAL-IDP");
            return next(context);
        });
    }

    private static async Task InvokeAsync(FunctionDescriptor function, HttpContext context)
    {
        var routeValues = context.Request.RouteValues.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.OrdinalIgnoreCase);
        try
        {
            var result = (IActionResult?)await FunctionInvoker.InvokeAsync(
                function,
                new FunctionInvoker.Bindings(context.RequestServices, context.RequestAborted, TriggerValue: context.Request, RouteValues: routeValues));
            if (result is null)
            {
                context.Response.StatusCode = StatusCodes.Status204NoContent;
                return;
            }

            await result.ExecuteResultAsync(new ActionContext(context, context.GetRouteData(), new ActionDescriptor()));
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The caller went away; there is no one to answer.
        }
        catch (Exception ex) when (!context.Response.HasStarted && Compliance.Functions.Http.ApiProblem.ForUnavailableStorage(ex) is { } unavailable)
        {
            // As the Functions host's StorageFailureMiddleware: storage or the engine did not answer, so a 503 to try again.
            context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Compliance.SelfHost.Http")
                .LogWarning(ex, "Function {FunctionName}: storage or the engine did not answer; answered 503", function.Name);
            await unavailable.ExecuteResultAsync(new ActionContext(context, context.GetRouteData(), new ActionDescriptor()));
        }
        catch (Exception ex)
        {
            // The Functions host answers any other unhandled exception with a bare 500; so does the self-host.
            context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Compliance.SelfHost.Http")
                .LogError(ex, "Function {FunctionName} failed", function.Name);
            if (!context.Response.HasStarted)
            {
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            }
        }
    }
}
