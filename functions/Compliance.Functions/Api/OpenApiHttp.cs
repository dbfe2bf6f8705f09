using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Compliance.Functions.Api;

/// <summary>
/// <c>GET /api/openapi.json</c>: the OpenAPI 3.1 document of this API (<see cref="OpenApiDescription"/>), for anyone: it says
/// which routes there are and which roles each needs, nothing about the data behind them.
/// </summary>
public sealed class OpenApiHttp
{
    [Function(nameof(GetOpenApiDocument))]
    public IActionResult GetOpenApiDocument(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/openapi.json")] HttpRequest req)
    {
        return new ContentResult { Content = OpenApiDescription.Json, ContentType = "application/json; charset=utf-8", StatusCode = StatusCodes.Status200OK };
    }
}
