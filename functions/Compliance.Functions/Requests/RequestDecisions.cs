using Compliance.Audit;
using Compliance.Mail;
using Compliance.Requests;
using Compliance.Tasks;
using Microsoft.Extensions.Logging;

namespace Compliance.Functions.Requests;

/// <summary>
/// Records decisions on requests, by the DPO or by rule: a decision record with reviewer and date, the refusal email with
/// the reason, the ground and the ICO's details, and the audit entry. Every write is keyed by the step, so a retry repeats nothing;
/// the decision record comes last, so a caller that finds it recorded knows everything else was done.
/// </summary>
public sealed class RequestDecisions(RequestStore requests, RequestMailer mailer, TaskStore tasks, AuditLog audit, ILogger<RequestDecisions> logger)
{
    /// <summary>Records a refusal and tells the requester the reason, the ground and how to complain to the ICO.</summary>
    public async Task RefuseAsync(DataSubjectRequestRecord request, RequestDecision decision, string step, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var exemption = decision.Exemption is { } e && RefusalExemption.IsKnown(e) ? RefusalExemption.LabelOf(e) : "none stated";
        await mailer.SendToRequesterAsync(request, EmailKind.Refusal, "refusal", new Dictionary<string, string> { ["reason"] = decision.Reason ?? string.Empty, ["exemption"] = exemption }, at, cancellationToken);
        await audit.AppendAsync(RequestAuditEvents.Step(request, AuditActions.RequestRefused, "refused", decision.Reviewer, ("exemption", decision.Exemption ?? "none")), cancellationToken);

        // Nothing is left for anyone to do on a refused request: its open tasks leave the lists.
        foreach (var task in await tasks.ListAsync(TaskStore.Open, request.RequestId, cancellationToken))
        {
            await tasks.CompleteAsync(task.TaskId, TaskOutcome.Cancelled, decision.Reviewer, at, cancellationToken);
        }

        // The decision last: callers take a recorded decision for a finished one and do not come back.
        var changes = RequestStore.DecisionColumns(decision);
        changes["Outcome"] = RequestDecision.Refused;
        await requests.RecordStepAsync(request.RequestId, step, new RequestHistoryEntry(at, "refused", RequestStatus.Refused, decision.Reviewer), changes, cancellationToken);
        logger.LogInformation("Request {RequestId} refused ({Exemption})", request.RequestId, decision.Exemption);
    }

    /// <summary>Records an approval and completes the DPO's open decision task, so the task list shows it done.</summary>
    public async Task ApproveAsync(DataSubjectRequestRecord request, string step, RequestDecision decision, DateTimeOffset at, CancellationToken cancellationToken)
    {
        foreach (var (kind, outcome) in new[] { (TaskKind.Approval, TaskOutcome.Approved), (TaskKind.DpoReview, TaskOutcome.Resolved) })
        {
            await tasks.CompleteAsync(TaskStore.IdFor(request.RequestId, kind), outcome, decision.Reviewer, at, cancellationToken);
        }

        await audit.AppendAsync(RequestAuditEvents.Step(request, AuditActions.RequestApproved, "approved", decision.Reviewer), cancellationToken);

        // The decision last, as for a refusal.
        await requests.RecordStepAsync(request.RequestId, step, new RequestHistoryEntry(at, decision.Decision, request.Status, decision.Reviewer), RequestStore.DecisionColumns(decision), cancellationToken);
    }
}
