using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Logging;

namespace Compliance.Functions.Http;

/// <summary>
/// In the Functions host, an HTTP function that fails because storage or the engine did not answer (past the SDK's retries)
/// answers <see cref="ApiProblem.ForUnavailableStorage"/>, a <c>503</c> with <c>Retry-After</c>, instead of the host's bare
/// 500; any other failure is left to the host. The self-host does the same in its own pipeline.
/// </summary>
public sealed class StorageFailureMiddleware(ILogger<StorageFailureMiddleware> logger) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        try
        {
            await next(context);
        }
        catch (Exception ex) when (context.GetHttpContext() is { Response.HasStarted: false } && ApiProblem.ForUnavailableStorage(ex) is { } answer)
        {
            logger.LogWarning(ex, "Function {FunctionName}: storage or the engine did not answer; answered 503", context.FunctionDefinition.Name);
            context.GetInvocationResult().Value = answer;
        }
    }
}
