using Compliance.Functions.Http;
using Compliance.Functions.Requests;
using Compliance.Portal.Layout;
using Compliance.Portal.Requests;
using Compliance.Portal.Studies;
using Compliance.Requests;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;

namespace Compliance.Functions.Portal;

/// <summary>
/// The portal's request form, <c>/studies/{studyId}/request</c>, and what happens next: a plain HTML form that works without
/// JavaScript, posted with its anti-forgery token (<see cref="FormGuard"/>) and rate-limited as <c>POST /api/requests</c> is.
/// </summary>
public sealed class RequestFormPagesHttp(
    StudyNotices notices,
    RequestIntake intake,
    FormGuard guard,
    ClientRateLimits rateLimits,
    PortalPages pages,
    TimeProvider time,
    IOptions<SiteOptions> site)
{
    /// <summary><c>GET /studies/{studyId}/request</c>: the request form.</summary>
    [Function(nameof(PortalRequestForm))]
    public async Task<IActionResult> PortalRequestForm(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "studies/{studyId}/request")] HttpRequest req,
        string studyId,
        CancellationToken cancellationToken)
    {
        return await FindAsync(studyId, cancellationToken) is { } notice
            ? await FormAsync(req, notice, RequestFormValues.Empty, null, cancellationToken)
            : await pages.NotFoundAsync();
    }

    /// <summary><c>POST /studies/{studyId}/request</c>: records the request as <c>POST /api/requests</c> does, then shows what happens next.</summary>
    [Function(nameof(PortalSendRequest))]
    public async Task<IActionResult> PortalSendRequest(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "studies/{studyId}/request")] HttpRequest req,
        string studyId,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken)
    {
        if (await FindAsync(studyId, cancellationToken) is not { } notice)
        {
            return await pages.NotFoundAsync();
        }

        if (await PortalForm.ReadAsync(req, cancellationToken) is not { } form || !await guard.AcceptsAsync(req, form, cancellationToken))
        {
            return await pages.FormRefusedAsync(notice.RequestHref);
        }

        var post = RequestFormPost.Read(form);
        if (post.Errors.Any)
        {
            return await FormAsync(req, notice, post.Values, post.Errors, cancellationToken);
        }

        if (await rateLimits.CheckSubmissionAsync(req, post.Values.Email!, cancellationToken) is { Allowed: false } limited)
        {
            return await pages.TooManyAsync(limited, req.HttpContext.Response);
        }

        return await SubmitAsync(notice, post, durable, cancellationToken);
    }

    /// <summary><c>GET /studies/{studyId}/request/sent?reference=&amp;type=</c>: the reference and what happens next.</summary>
    [Function(nameof(PortalRequestSent))]
    public async Task<IActionResult> PortalRequestSent(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "studies/{studyId}/request/sent")] HttpRequest req,
        string studyId,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(req);
        var reference = req.Query["reference"].ToString();
        var type = req.Query["type"].ToString();
        if (!RequestId.IsWellFormed(reference) || !RequestType.IsValid(type) || await FindAsync(studyId, cancellationToken) is not { } notice)
        {
            return await pages.NotFoundAsync();
        }

        return await pages.OkAsync<SubmittedPage>((nameof(SubmittedPage.Notice), notice), (nameof(SubmittedPage.RequestId), reference), (nameof(SubmittedPage.Type), type));
    }

    private async Task<IActionResult> SubmitAsync(StudyNotice notice, RequestFormPost post, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        DataSubjectRequestRecord record;
        try
        {
            record = await intake.SubmitAsync(post.ToNewRequest(notice.StudyId, time.GetUtcNow()), time.GetUtcNow(), durable, cancellationToken);
        }
        catch (RequestNotStartedException)
        {
            return await pages.UnavailableAsync();
        }

        return PortalPages.SeeOther(site.Value, $"{notice.RequestHref}/sent?reference={record.RequestId}&type={record.Type}");
    }

    private async Task<IActionResult> FormAsync(HttpRequest req, StudyNotice notice, RequestFormValues values, FormErrors? errors, CancellationToken cancellationToken) =>
        await pages.PageAsync<RequestFormPage>(
            errors is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest,
            (nameof(RequestFormPage.Notice), notice),
            (nameof(RequestFormPage.FormToken), await guard.IssueAsync(req, cancellationToken)),
            (nameof(RequestFormPage.Values), values),
            (nameof(RequestFormPage.Errors), errors));

    private Task<StudyNotice?> FindAsync(string studyId, CancellationToken cancellationToken) => notices.FindAsync(studyId, cancellationToken);
}
