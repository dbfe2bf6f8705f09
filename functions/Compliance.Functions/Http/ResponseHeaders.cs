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

    /// <summary>
    /// The staff console's policy: a WebAssembly app needs its own scripts and <c>'wasm-unsafe-eval'</c> (to compile .NET's
    /// runtime), and its component library sets inline styles; still nothing from any other origin, no plugins, no framing.
    /// </summary>
    public const string ConsoleContentSecurityPolicy = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'";

    /// <summary>Where the console's files are served; its answers carry <see cref="ConsoleContentSecurityPolicy"/>.</summary>
    public const string ConsolePath = "/console";

    public static void Apply(HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Headers.XContentTypeOptions = "nosniff";
        // A route may allow a cache to revalidate (the console's files); none may let one keep an answer unasked.
        if (string.IsNullOrEmpty(response.Headers.CacheControl))
        {
            response.Headers.CacheControl = "no-store";
        }

        response.Headers.ContentSecurityPolicy = response.HttpContext.Request.Path.StartsWithSegments(ConsolePath, StringComparison.Ordinal)
            ? ConsoleContentSecurityPolicy
            : ContentSecurityPolicy;
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
