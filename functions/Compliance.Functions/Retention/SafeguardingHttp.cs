using System.Globalization;
using Compliance.Audit;
using Compliance.Functions.Http;
using Compliance.Identity;
using Compliance.Paging;
using Compliance.Retention;
using Compliance.Studies;
using Compliance.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace Compliance.Functions.Retention;

/// <summary>Safeguarding settings (configuration section <c>Safeguarding</c>).</summary>
public sealed class SafeguardingOptions
{
    public const string SectionName = "Safeguarding";

    /// <summary>When the DPO reviews the hold a disclosure places (and is reminded), from the disclosure.</summary>
    public TimeSpan HoldReviewAfter { get; set; } = TimeSpan.FromDays(30);

    /// <summary>When the DPO's review of a disclosure is due, from the disclosure.</summary>
    public TimeSpan ReviewDueAfter { get; set; } = TimeSpan.FromDays(2);
}

/// <summary>The answer to <c>POST /api/safeguarding</c>.</summary>
public sealed record DisclosureResponse(string DisclosureId, string HoldId, string TaskId);

/// <summary>
/// <c>POST /api/safeguarding</c> (Researcher): the break-glass record of a safeguarding disclosure, the one path by which
/// identifiable material may be shared (with ONS or anyone else): who, why, what and to whom are recorded; a safeguarding
/// hold keeps the participant's or session's material from deletion; the DPO gets a review task; it is audited.
/// </summary>
public sealed class SafeguardingHttp(
    DisclosureStore disclosures,
    HoldStore holds,
    TaskStore tasks,
    StudyStore studies,
    AuditLog audit,
    TimeProvider time,
    IOptions<SafeguardingOptions> options,
    IOptions<HttpOptions> httpOptions)
{
    internal static readonly string[] ResearcherOnly = [Role.Researcher];

    [Function(nameof(RecordDisclosure))]
    public async Task<IActionResult> RecordDisclosure(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/safeguarding")] HttpRequest req,
        CancellationToken cancellationToken)
    {
        var (principal, body, problem) = await StaffRoute.ReadAsync(req, ResearcherOnly, DisclosureBody.Schema(studies), httpOptions.Value.MaxJsonBodyBytes, cancellationToken);
        return problem ?? await RecordAsync(body!, principal!.Id, cancellationToken);
    }

    /// <summary><c>GET /api/safeguarding?studyId=</c> (Dpo, Researcher): the study's safeguarding records, newest first.</summary>
    [Function(nameof(ListDisclosures))]
    public async Task<IActionResult> ListDisclosures(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/safeguarding")] HttpRequest req,
        CancellationToken cancellationToken)
    {
        var (_, query, problem) = await StaffRoute.StudyFromQueryAsync(req, Role.ContactReaders, async id => await studies.FindStudyAsync(id, cancellationToken) is not null);
        if (problem is not null)
        {
            return problem;
        }

        return PageQuery.Answer(
            (await disclosures.ListAsync(query!.StudyId, cancellationToken)).Select(DisclosureStore.ViewOf),
            d => $"{KeysetPaging.Descending(d.At)}|{d.DisclosureId}",
            query.Page,
            (page, next) => new DisclosureList(query.StudyId, page, next));
    }

    private async Task<IActionResult> RecordAsync(DisclosureBody body, string by, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var disclosureId = DisclosureStore.NewId();
        var hold = new Hold
        {
            HoldId = HoldStore.NewId(),
            StudyId = body.StudyId,
            Kind = HoldKind.Safeguarding,
            Scope = body.Scope,
            TargetId = body.TargetId,
            Reason = $"Safeguarding disclosure {disclosureId}",
            ReviewOn = UkTime.DateOf(now + options.Value.HoldReviewAfter),
            PlacedBy = by,
            PlacedAt = now,
        };
        var task = new ManualTask
        {
            TaskId = TaskStore.IdFor(disclosureId, TaskKind.SafeguardingReview),
            Workflow = WorkflowRef.Disclosure(disclosureId),
            StudyId = body.StudyId,
            Kind = TaskKind.SafeguardingReview,
            AssigneeRole = TaskKind.AssigneeOf(TaskKind.SafeguardingReview),
            CreatedAt = now,
            DueAt = now + options.Value.ReviewDueAfter,
            Status = TaskStore.Open,
        };

        // The hold first: from this moment nothing it covers is deleted, whatever happens to the rest.
        await holds.AddAsync(hold, cancellationToken);
        await disclosures.AddAsync(body.ToDisclosure(disclosureId, by, now, hold.HoldId, task.TaskId), cancellationToken);
        await tasks.EnsureAsync(task, cancellationToken);
        await audit.AppendAsync(
            new AuditEvent(by, AuditActions.SafeguardingDisclosure)
            {
                StudyId = body.StudyId,
                Details = new Dictionary<string, string>
                {
                    ["disclosureId"] = disclosureId,
                    ["scope"] = body.Scope,
                    ["targetId"] = body.TargetId,
                    ["recipient"] = body.Recipient,
                    ["holdId"] = hold.HoldId,
                    ["taskId"] = task.TaskId,
                },
                IdempotencyKey = $"{disclosureId}:recorded",
            },
            cancellationToken);
        await audit.AppendAsync(HoldAuditEvents.Placed(hold, ("disclosureId", disclosureId)), cancellationToken);
        return new CreatedResult((string?)null, new DisclosureResponse(disclosureId, hold.HoldId, task.TaskId));
    }
}
