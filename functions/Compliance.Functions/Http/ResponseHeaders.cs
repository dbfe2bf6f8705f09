using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Compliance.Functions.Http;

/// <summary>
/// What every response of the API carries, in both hosts: <c>X-Content-Type-Options: nosniff</c> (no answer is ever
/// sniffed into markup), and <c>Cache-Control: no-store</c> (answers hold request data, which no cache may keep).
/// </summary>
public static class ResponseHeaders
{
    public static void Apply(HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.CacheControl = "no-store";
    }

    /// <summary>
    /// The problem for an answer the routing gave without a body (no such route, a method the route does not take), so that
    /// every error is problem details; null for a status that is no error.
    /// </summary>
    public static ObjectResult? RoutingProblem(int status, string method, string path) => status switch
    {
        StatusCodes.Status404NotFound => ApiProblem.NotFound("There is no route here; see docs/api.md for the routes."),
        StatusCodes.Status405MethodNotAllowed => ApiProblem.Create(status, "method-not-allowed", "The route does not take this method.", $"{method} is not a method of this route."),
        _ => null,
    };
}
