using System.Reflection;
using Compliance.Portal.Studies;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Compliance.Functions.Portal;

/// <summary>The portal's pages about studies, at the site root (ADR 0011): the list of studies, a study's notice, and the stylesheet.</summary>
public sealed class StudyPagesHttp(StudyNotices notices, PortalPages pages)
{
    /// <summary><c>GET /</c>: the studies this service runs requests for.</summary>
    [Function(nameof(PortalHome))]
    public async Task<IActionResult> PortalHome(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "{ignored:maxlength(0)?}")] HttpRequest req,
        CancellationToken cancellationToken)
    {
        return await pages.OkAsync<StudyListPage>((nameof(StudyListPage.Studies), await notices.ListAsync(cancellationToken)));
    }

    /// <summary><c>GET /studies/{studyId}</c>: the study's notice in plain words, from its policy.</summary>
    [Function(nameof(PortalStudyNotice))]
    public async Task<IActionResult> PortalStudyNotice(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "studies/{studyId}")] HttpRequest req,
        string studyId,
        CancellationToken cancellationToken)
    {
        return await notices.FindAsync(studyId, cancellationToken) is { } notice
            ? await pages.OkAsync<NoticePage>((nameof(NoticePage.Notice), notice))
            : await pages.NotFoundAsync();
    }

    /// <summary><c>GET /assets/{name}</c>: the portal's stylesheet, from the Portal assembly, so both hosts serve the same bytes.</summary>
    [Function(nameof(PortalAsset))]
    public IActionResult PortalAsset(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "assets/{name}")] HttpRequest req,
        string name)
    {
        var stream = name == "portal.css" ? Assembly.GetAssembly(typeof(StudyNotice))!.GetManifestResourceStream("Compliance.Portal.Assets.portal.css") : null;
        return stream is null ? new NotFoundResult() : new FileStreamResult(stream, "text/css; charset=utf-8");
    }

}
