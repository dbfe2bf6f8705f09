using Compliance.Audit;
using Compliance.Functions.Http;
using Compliance.Identity;
using Compliance.Retention;
using Compliance.Studies;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace Compliance.Functions.Retention;

/// <summary>A hold as the API shows it.</summary>
public sealed record HoldView(string HoldId, string StudyId, string Kind, string Scope, string TargetId, string Reason, DateOnly ReviewOn, string PlacedBy, DateTimeOffset PlacedAt, DateTimeOffset? ReleasedAt, string? ReleasedBy)
{
    public static HoldView From(Hold h)
    {
        ArgumentNullException.ThrowIfNull(h);
        return new(h.HoldId, h.StudyId, h.Kind, h.Scope, h.TargetId, h.Reason, h.ReviewOn, h.PlacedBy, h.PlacedAt, h.ReleasedAt, h.ReleasedBy);
    }
}

/// <summary><c>POST /api/holds</c> and <c>DELETE /api/holds/{id}</c>: the DPO places and lifts legal and safeguarding holds, audited.</summary>
public sealed class HoldsHttp(HoldStore holds, StudyStore studies, AuditLog audit, TimeProvider time, IOptions<HttpOptions> httpOptions)
{
    private const int MaxReasonLength = 2000;
    private static readonly string[] DpoOnly = [Role.Dpo];
    private static readonly string[] Fields = ["studyId", "kind", "scope", "targetId", "reason", "reviewOn"];

    /// <summary>Places a hold on a participant, a session or a study; <c>201</c> with the hold.</summary>
    [Function(nameof(PlaceHold))]
    public async Task<IActionResult> PlaceHold(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "holds")] HttpRequest req,
        CancellationToken cancellationToken)
    {
        var auth = StaffAuthorization.Require(req, DpoOnly);
        if (auth.Denied is not null)
        {
            return auth.Denied;
        }

        var (document, problem) = await JsonBody.ReadObjectAsync(req, httpOptions.Value.MaxJsonBodyBytes, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        Hold hold;
        using (document)
        {
            var fields = new JsonFields(document!.RootElement, Fields);
            var studyId = fields.Text("studyId", required: true, 64, StudyIds.IsWellFormed, "must be a study id.");
            var kind = fields.Text("kind", required: true, 32, HoldKind.All.Contains, $"must be one of: {string.Join(", ", HoldKind.All)}.");
            var scope = fields.Text("scope", required: true, 32, HoldScope.All.Contains, $"must be one of: {string.Join(", ", HoldScope.All)}.");
            var targetId = fields.Text("targetId", required: scope is not HoldScope.Study, 64);
            var reason = fields.Text("reason", required: true, MaxReasonLength);
            var reviewOn = fields.Date("reviewOn", required: true);
            var today = UkTime.DateOf(time.GetUtcNow());
            if (reviewOn is { } review && review < today)
            {
                fields.Add("reviewOn", "must be today or later.");
            }

            if (!fields.HasErrors && await TargetProblemAsync(studyId!, scope!, targetId, cancellationToken) is { } missing)
            {
                fields.Add(missing.Field, missing.Message);
            }

            if (fields.HasErrors)
            {
                return ApiProblem.Validation(fields.Errors);
            }

            hold = new Hold
            {
                HoldId = HoldStore.NewId(),
                StudyId = studyId!,
                Kind = kind!,
                Scope = scope!,
                TargetId = scope == HoldScope.Study ? studyId! : targetId!,
                Reason = reason!,
                ReviewOn = reviewOn!.Value,
                PlacedBy = auth.Principal!.Id,
                PlacedAt = time.GetUtcNow(),
            };
        }

        await holds.AddAsync(hold, cancellationToken);
        await audit.AppendAsync(HoldAuditEvents.Placed(hold), cancellationToken);
        return new CreatedResult($"/api/holds/{hold.HoldId}", HoldView.From(hold));
    }

    /// <summary>Lifts a hold; the next sweep deletes what it kept, if its time has come. <c>409</c> if already lifted.</summary>
    [Function(nameof(ReleaseHold))]
    public async Task<IActionResult> ReleaseHold(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "holds/{id}")] HttpRequest req,
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
        return new OkObjectResult(HoldView.From(hold));
    }

    private async Task<(string Field, string Message)?> TargetProblemAsync(string studyId, string scope, string? targetId, CancellationToken cancellationToken)
    {
        if (await studies.FindStudyAsync(studyId, cancellationToken) is null)
        {
            return ("studyId", "is not a registered study.");
        }

        return scope switch
        {
            HoldScope.Participant when await studies.FindParticipantAsync(studyId, targetId!, cancellationToken) is null => ("targetId", "is not a participant of the study."),
            HoldScope.Session when await studies.FindSessionAsync(studyId, targetId!, cancellationToken) is null => ("targetId", "is not a session of the study."),
            _ => null,
        };
    }
}
