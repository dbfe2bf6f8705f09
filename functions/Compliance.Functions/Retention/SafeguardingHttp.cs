using System.Globalization;
using Compliance.Audit;
using Compliance.Functions.Http;
using Compliance.Identity;
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
    private const int MaxTextLength = 4000;
    private static readonly string[] ResearcherOnly = [Role.Researcher];
    private static readonly string[] Fields = ["studyId", "scope", "targetId", "reason", "disclosed", "recipient", "recipientDetails"];
    private static readonly string[] Scopes = [HoldScope.Participant, HoldScope.Session];

    [Function(nameof(RecordDisclosure))]
    public async Task<IActionResult> RecordDisclosure(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "safeguarding")] HttpRequest req,
        CancellationToken cancellationToken)
    {
        var auth = StaffAuthorization.Require(req, ResearcherOnly);
        if (auth.Denied is not null)
        {
            return auth.Denied;
        }

        var (document, problem) = await JsonBody.ReadObjectAsync(req, httpOptions.Value.MaxJsonBodyBytes, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        string studyId, scope, targetId, reason, disclosed, recipient;
        string? recipientDetails;
        using (document)
        {
            var fields = new JsonFields(document!.RootElement, Fields);
            var s = fields.Text("studyId", required: true, 64, StudyIds.IsWellFormed, "must be a study id.");
            var sc = fields.Text("scope", required: true, 32, Scopes.Contains, $"must be one of: {string.Join(", ", Scopes)}.");
            var t = fields.Text("targetId", required: true, 64);
            var r = fields.Text("reason", required: true, MaxTextLength);
            var d = fields.Text("disclosed", required: true, MaxTextLength);
            var to = fields.Text("recipient", required: true, 32, DisclosureRecipient.All.Contains, $"must be one of: {string.Join(", ", DisclosureRecipient.All)}.");
            recipientDetails = fields.Text("recipientDetails", required: to == DisclosureRecipient.Other, 500);
            if (!fields.HasErrors)
            {
                if (await studies.FindStudyAsync(s!, cancellationToken) is null)
                {
                    fields.Add("studyId", "is not a registered study.");
                }
                else if (sc == HoldScope.Participant ? await studies.FindParticipantAsync(s!, t!, cancellationToken) is null : await studies.FindSessionAsync(s!, t!, cancellationToken) is null)
                {
                    fields.Add("targetId", $"is not a {sc} of the study.");
                }
            }

            if (fields.HasErrors)
            {
                return ApiProblem.Validation(fields.Errors);
            }

            (studyId, scope, targetId, reason, disclosed, recipient) = (s!, sc!, t!, r!, d!, to!);
        }

        var now = time.GetUtcNow();
        var by = auth.Principal!.Id;
        var disclosureId = DisclosureStore.NewId();
        var hold = new Hold
        {
            HoldId = HoldStore.NewId(),
            StudyId = studyId,
            Kind = HoldKind.Safeguarding,
            Scope = scope,
            TargetId = targetId,
            Reason = $"Safeguarding disclosure {disclosureId}",
            ReviewOn = UkTime.DateOf(now + options.Value.HoldReviewAfter),
            PlacedBy = by,
            PlacedAt = now,
        };
        var task = new ManualTask
        {
            TaskId = TaskStore.IdFor(disclosureId, TaskKind.SafeguardingReview),
            RequestId = disclosureId,
            StudyId = studyId,
            Kind = TaskKind.SafeguardingReview,
            AssigneeRole = TaskKind.AssigneeOf(TaskKind.SafeguardingReview),
            CreatedAt = now,
            DueAt = now + options.Value.ReviewDueAfter,
            Status = TaskStore.Open,
        };

        // The hold first: from this moment nothing it covers is deleted, whatever happens to the rest.
        await holds.AddAsync(hold, cancellationToken);
        await disclosures.AddAsync(
            new Disclosure
            {
                DisclosureId = disclosureId,
                StudyId = studyId,
                Scope = scope,
                TargetId = targetId,
                Reason = reason,
                WhatDisclosed = disclosed,
                Recipient = recipient,
                RecipientDetails = recipientDetails,
                DisclosedBy = by,
                At = now,
                HoldId = hold.HoldId,
                ReviewTaskId = task.TaskId,
            },
            cancellationToken);
        await tasks.EnsureAsync(task, cancellationToken);
        await audit.AppendAsync(
            new AuditEvent(by, AuditActions.SafeguardingDisclosure)
            {
                StudyId = studyId,
                Details = new Dictionary<string, string>
                {
                    ["disclosureId"] = disclosureId,
                    ["scope"] = scope,
                    ["targetId"] = targetId,
                    ["recipient"] = recipient,
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
