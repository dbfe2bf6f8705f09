using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace Compliance.Functions.Http;

/// <summary>Puts <see cref="ResponseHeaders"/> on every HTTP response of the Functions host (the self-host does it in its own pipeline).</summary>
public sealed class ResponseHeadersMiddleware : IFunctionsWorkerMiddleware
{
    public Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(next);
        if (context?.GetHttpContext() is { } http)
        {
            http.Response.OnStarting(() =>
            {
                ResponseHeaders.Apply(http.Response);
                return Task.CompletedTask;
            });
        }

        return next(context!);
    }
}
