using Compliance.Portal.Requests;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace Compliance.Functions.Portal;

/// <summary>The requester's private status page, reached only through the tokened link in the acknowledgement (<see cref="StatusPageReader"/>).</summary>
public sealed class StatusPagesHttp(StatusPageReader statusPages, PortalPages pages, IOptions<SiteOptions> site)
{
    /// <summary><c>GET /status/{id}/{token}</c>: the private status page; a wrong token is simply not found.</summary>
    [Function(nameof(PortalRequestStatus))]
    public async Task<IActionResult> PortalRequestStatus(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "status/{id}/{token}")] HttpRequest req,
        string id,
        string token,
        CancellationToken cancellationToken)
    {
        return await statusPages.ReadAsync(id, token, cancellationToken) is { } view
            ? await pages.OkAsync<StatusPage>((nameof(StatusPage.View), view))
            : await pages.NotFoundAsync();
    }

    /// <summary><c>GET /status/{id}/{token}/download</c>: to the access package while its link is valid; else back to the status page.</summary>
    [Function(nameof(PortalStatusDownload))]
    public async Task<IActionResult> PortalStatusDownload(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "status/{id}/{token}/download")] HttpRequest req,
        string id,
        string token,
        CancellationToken cancellationToken)
    {
        // A wrong token is not found, as on the page itself (and is never echoed into a Location header).
        if (await statusPages.ReadAsync(id, token, cancellationToken) is null)
        {
            return await pages.NotFoundAsync();
        }

        return await statusPages.DownloadLinkAsync(id, token, cancellationToken) is { } link
            ? new RedirectResult(link.ToString(), permanent: false)
            : PortalPages.SeeOther(site.Value, $"/status/{id}/{token}");
    }
}
