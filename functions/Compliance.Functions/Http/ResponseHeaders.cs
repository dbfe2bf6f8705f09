using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Compliance.Functions.Http;

/// <summary>
/// What every response carries, API and portal, in both hosts: <c>X-Content-Type-Options: nosniff</c> (no answer is ever
/// sniffed into markup), <c>Cache-Control: no-store</c> (answers hold request data, which no cache may keep), a
/// <c>Content-Security-Policy</c> that allows no script at all and only our own stylesheet, forms that post only to us and
/// no framing, and <c>Referrer-Policy: no-referrer</c> (status links carry tokens, which must not leak to other sites).
/// </summary>
public static class ResponseHeaders
{
    /// <summary>The policy: nothing but our own styles and images; forms post only to us; no page may be framed.</summary>
    public const string ContentSecurityPolicy = "default-src 'none'; script-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static void Apply(HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.CacheControl = "no-store";
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XFrameOptions = "DENY";
        response.Headers["Referrer-Policy"] = "no-referrer";
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
