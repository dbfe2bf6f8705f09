using Compliance.Audit;
using Compliance.Functions.Http;
using Compliance.Identity;
using Compliance.Paging;
using Compliance.Retention;
using Compliance.Studies;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace Compliance.Functions.Retention;

/// <summary>
/// <c>POST /api/holds</c> and <c>DELETE /api/holds/{id}</c>: the DPO places and lifts legal and safeguarding holds, audited;
/// <c>GET /api/holds?studyId=</c> lists a study's, lifted ones too, for staff who handle requests.
/// </summary>
public sealed class HoldsHttp(HoldStore holds, StudyStore studies, AuditLog audit, TimeProvider time, IOptions<HttpOptions> httpOptions)
{
    internal static readonly string[] DpoOnly = [Role.Dpo];

    /// <summary><c>GET /api/holds?studyId=</c>: every hold of the study, in place or lifted (with who lifted it and when), newest first.</summary>
    [Function(nameof(ListHolds))]
    public async Task<IActionResult> ListHolds(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/holds")] HttpRequest req,
        CancellationToken cancellationToken)
    {
        var (_, query, problem) = await StaffRoute.StudyFromQueryAsync(req, Role.RequestHandlers, async id => await studies.FindStudyAsync(id, cancellationToken) is not null);
        if (problem is not null)
        {
            return problem;
        }

        return PageQuery.Answer(
            (await holds.ListAsync(query!.StudyId, cancellationToken)).Select(HoldViews.From),
            h => $"{KeysetPaging.Descending(h.PlacedAt)}|{h.HoldId}",
            query.Page,
            (page, next) => new HoldList(query.StudyId, page, next));
    }

    /// <summary>Places a hold on a participant, a session or a study; <c>201</c> with the hold.</summary>
    [Function(nameof(PlaceHold))]
    public async Task<IActionResult> PlaceHold(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/holds")] HttpRequest req,
        CancellationToken cancellationToken)
    {
        var schema = HoldBody.Schema(UkTime.DateOf(time.GetUtcNow()), studies);
        var (principal, body, problem) = await StaffRoute.ReadAsync(req, DpoOnly, schema, httpOptions.Value.MaxJsonBodyBytes, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var hold = body!.ToHold(principal!.Id, time.GetUtcNow());
        await holds.AddAsync(hold, cancellationToken);
        await audit.AppendAsync(HoldAuditEvents.Placed(hold), cancellationToken);
        return new CreatedResult($"/api/holds/{hold.HoldId}", HoldViews.From(hold));
    }

    /// <summary>Lifts a hold; the next sweep deletes what it kept, if its time has come. <c>409</c> if already lifted.</summary>
    [Function(nameof(ReleaseHold))]
    public async Task<IActionResult> ReleaseHold(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "api/holds/{id}")] HttpRequest req,
        string id,
        CancellationToken cancellationToken)
    {
        var auth = StaffAuthorization.Require(req, DpoOnly);
        if (auth.Denied is not null)
        {
            return auth.Denied;
        }

        var (outcome, hold) = id.Length <= 64 ? await holds.ReleaseAsync(id, auth.Principal!.Id, time.GetUtcNow(), cancellationToken) : (HoldRelease.NotFound, null);
        switch (outcome)
        {
            case HoldRelease.NotFound:
                return ApiProblem.NotFound("There is no hold with that id.");
            case HoldRelease.AlreadyReleased:
                return ApiProblem.Create(StatusCodes.Status409Conflict, "conflict", "Already lifted.", "The hold was lifted before; nothing was changed.");
        }

        await audit.AppendAsync(
            new AuditEvent(auth.Principal!.Id, AuditActions.HoldReleased)
            {
                StudyId = hold!.StudyId,
                Details = new Dictionary<string, string> { ["holdId"] = hold.HoldId, ["kind"] = hold.Kind, ["scope"] = hold.Scope, ["targetId"] = hold.TargetId },
                IdempotencyKey = $"{hold.HoldId}:released",
            },
            cancellationToken);
        return new OkObjectResult(HoldViews.From(hold));
    }
}
