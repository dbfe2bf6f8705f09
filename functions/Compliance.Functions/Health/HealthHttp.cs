using Compliance.Functions.Http;
using Compliance.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Compliance.Functions.Health;

/// <summary>
/// <c>GET /api/health</c> (anonymous): <c>{"status":"up"}</c> with 200 while storage answers, <c>{"status":"down"}</c> with
/// 503 when it does not, and nothing more, for a load balancer or an uptime probe. <c>GET /api/health/details</c> (Admin):
/// every check of <see cref="HealthChecks"/> with its state and reason; 200 whatever the states (the body says them).
/// </summary>
public sealed class HealthHttp(HealthChecks checks)
{
    internal static readonly string[] AdminOnly = [Role.Admin];

    [Function(nameof(GetHealth))]
    public async Task<IActionResult> GetHealth(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/health")] HttpRequest req,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(req);
        return await checks.StorageReachableAsync(cancellationToken)
            ? new OkObjectResult(new HealthStatus("up"))
            : new ObjectResult(new HealthStatus("down")) { StatusCode = StatusCodes.Status503ServiceUnavailable };
    }

    [Function(nameof(GetHealthDetails))]
    public async Task<IActionResult> GetHealthDetails(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/health/details")] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken)
    {
        var auth = StaffAuthorization.Require(req, AdminOnly);
        if (auth.Denied is not null)
        {
            return auth.Denied;
        }

        return new OkObjectResult(await checks.RunAsync(durable, cancellationToken));
    }
}

/// <summary>The anonymous answer: <c>up</c> or <c>down</c>.</summary>
public sealed record HealthStatus(string Status);
