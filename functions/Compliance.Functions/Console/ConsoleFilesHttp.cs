using Compliance.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Net.Http.Headers;

namespace Compliance.Functions.Console;

/// <summary>
/// <c>GET /console/…</c>: the staff console's files, served by the Functions app itself in both hosts, so the console shares
/// the API's origin and App Service Authentication's session covers both (ADR 0014). The files hold no data: every screen
/// reads the API, which checks the caller's roles.
/// </summary>
public sealed class ConsoleFilesHttp(ConsoleFiles files)
{
    [Function(nameof(ConsoleFile))]
    public IActionResult ConsoleFile(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "console/{*path}")] HttpRequest req,
        string? path)
    {
        ArgumentNullException.ThrowIfNull(req);
        if (!req.Path.Value!.StartsWith("/console/", StringComparison.Ordinal))
        {
            // Relative addresses in the app resolve against /console/, so the bare /console must become it.
            return new RedirectResult("/console/", permanent: false);
        }

        if (!files.IsPublished)
        {
            return ApiProblem.Unavailable("The console has not been built into this app: run scripts/build-console.sh (run-local.sh and test.sh do).");
        }

        if (files.Find(path, req.Headers.AcceptEncoding.ToString()) is not { } file)
        {
            return ApiProblem.NotFound("There is no console file here.");
        }

        return Serve(req.HttpContext.Response, file);
    }

    private static PhysicalFileResult Serve(HttpResponse response, ConsoleFile file)
    {
        if (file.ContentEncoding is not null)
        {
            response.Headers.ContentEncoding = file.ContentEncoding;
        }

        response.Headers.Vary = HeaderNames.AcceptEncoding;
        // The files change only with a deployment; the browser asks again each time and gets 304 while they are the same.
        response.Headers.CacheControl = "no-cache";
        var info = new FileInfo(file.PhysicalPath);
        return new PhysicalFileResult(file.PhysicalPath, file.ContentType)
        {
            LastModified = info.LastWriteTimeUtc,
            EntityTag = new EntityTagHeaderValue($"\"{info.LastWriteTimeUtc.Ticks:x}-{info.Length:x}\""),
        };
    }
}
