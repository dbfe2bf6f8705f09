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
/// The portal's request pages: the form, what happens next, code entry and the private status page. Plain HTML forms that
/// work without JavaScript; every post carries its anti-forgery token (<see cref="FormGuard"/>).
/// </summary>
public sealed class RequestPagesHttp(
    StudyNotices notices,
    RequestIntake intake,
    CodeEntry codeEntry,
    StatusPageReader statusPages,
    FormGuard guard,
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

    /// <summary><c>GET /verify?reference=</c>: code entry.</summary>
    [Function(nameof(PortalCodeEntry))]
    public async Task<IActionResult> PortalCodeEntry(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "verify")] HttpRequest req,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(req);
        var reference = req.Query["reference"].ToString() is { Length: > 0 and <= 40 } r && RequestId.IsWellFormed(r) ? r : null;
        return await CodeFormAsync(req, reference, null, null, cancellationToken);
    }

    /// <summary>
    /// <c>POST /verify</c>: checks the code as <c>POST /api/requests/{id}/verify</c> does. A wrong code, an unknown reference
    /// and a locked code get the same page.
    /// </summary>
    [Function(nameof(PortalEnterCode))]
    public async Task<IActionResult> PortalEnterCode(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "verify")] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken)
    {
        if (await PortalForm.ReadAsync(req, cancellationToken) is not { } form || !await guard.AcceptsAsync(req, form, cancellationToken))
        {
            return await pages.FormRefusedAsync("/verify");
        }

        var (reference, code, errors) = CodeFields(form);
        if (errors.Any)
        {
            return await CodeFormAsync(req, reference, code, errors, cancellationToken);
        }

        if (await codeEntry.EnterAsync(reference!.ToUpperInvariant(), code!, durable, cancellationToken) != CodeOutcome.Rejected)
        {
            return PortalPages.SeeOther(site.Value, "/verify/done");
        }

        errors.Add("code", "The code is not valid. Check the reference and the code in our email. If it still does not work, reply to our email and we will help.");
        return await CodeFormAsync(req, reference, code, errors, cancellationToken);
    }

    /// <summary><c>GET /verify/done</c>: the code was taken.</summary>
    [Function(nameof(PortalCodeConfirmed))]
    public Task<IActionResult> PortalCodeConfirmed(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "verify/done")] HttpRequest req)
    {
        return pages.MessageAsync(
            StatusCodes.Status200OK,
            "Code confirmed",
            ["Thank you: the code is confirmed. We will now carry on with your request and email you when there is news.", "The link in our first email shows where your request stands."]);
    }

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
        return await statusPages.DownloadLinkAsync(id, token, cancellationToken) is { } link
            ? new RedirectResult(link.ToString(), permanent: false)
            : PortalPages.SeeOther(site.Value, $"/status/{id}/{token}");
    }

    /// <summary>The code form's fields, and what is missing.</summary>
    private static (string? Reference, string? Code, FormErrors Errors) CodeFields(PortalForm form)
    {
        var (reference, code) = (form["reference"], form["code"]?.Replace(" ", "", StringComparison.Ordinal));
        var errors = new FormErrors();
        if (reference is null)
        {
            errors.Add("reference", "Enter the request reference");
        }

        if (code is null)
        {
            errors.Add("code", "Enter the code");
        }

        return (reference, code, errors);
    }

    private async Task<IActionResult> SubmitAsync(StudyNotice notice, RequestFormPost post, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        RequestIntakeResult result;
        try
        {
            result = await intake.SubmitAsync(post.ToNewRequest(notice.StudyId, time.GetUtcNow()), notice.Policy, time.GetUtcNow(), durable, cancellationToken);
        }
        catch (RequestNotStartedException)
        {
            return await pages.UnavailableAsync();
        }

        // The same page for a duplicate as for any request: it must not show whether the address belongs to a participant.
        return PortalPages.SeeOther(site.Value, $"{notice.RequestHref}/sent?reference={result.Record.RequestId}&type={result.Record.Type}");
    }

    private async Task<IActionResult> FormAsync(HttpRequest req, StudyNotice notice, RequestFormValues values, FormErrors? errors, CancellationToken cancellationToken) =>
        await pages.PageAsync<RequestFormPage>(
            errors is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest,
            (nameof(RequestFormPage.Notice), notice),
            (nameof(RequestFormPage.FormToken), await guard.IssueAsync(req, cancellationToken)),
            (nameof(RequestFormPage.Values), values),
            (nameof(RequestFormPage.Errors), errors));

    private async Task<IActionResult> CodeFormAsync(HttpRequest req, string? reference, string? code, FormErrors? errors, CancellationToken cancellationToken) =>
        await pages.PageAsync<CodePage>(
            errors is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest,
            (nameof(CodePage.FormToken), await guard.IssueAsync(req, cancellationToken)),
            (nameof(CodePage.Reference), reference),
            (nameof(CodePage.Code), errors is null ? null : code),
            (nameof(CodePage.Errors), errors));

    private Task<StudyNotice?> FindAsync(string studyId, CancellationToken cancellationToken) => notices.FindAsync(studyId, cancellationToken);
}
