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
public sealed class RequestDecisions(RequestStore requests, Mailer mailer, TaskStore tasks, AuditLog audit, ILogger<RequestDecisions> logger)
{
    /// <summary>Records a refusal the model took (<see cref="DataSubjectRequest.Refuse"/>) and tells the requester the reason, the ground and how to complain to the ICO.</summary>
    public async Task RefuseAsync(DataSubjectRequest request, string step, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var record = request.Loaded;
        var decision = request.State.Decision ?? throw new InvalidOperationException($"Request {request.Id} carries no refusal.");
        var exemption = decision.Exemption is { } e && RefusalExemption.IsKnown(e) ? RefusalExemption.LabelOf(e) : "none stated";
        await mailer.SendToRequesterAsync(record, EmailKind.Refusal, "refusal", new Dictionary<string, string> { ["reason"] = decision.Reason ?? string.Empty, ["exemption"] = exemption }, decision.DecidedAt, cancellationToken);
        await audit.AppendAsync(RequestAuditEvents.Step(record, AuditActions.RequestRefused, "refused", decision.Reviewer, ("exemption", decision.Exemption ?? "none")), cancellationToken);

        // Nothing is left for anyone to do on a refused request: its open tasks leave the lists.
        foreach (var task in await tasks.ListAsync(TaskStore.Open, WorkflowRef.Request(request.Id), cancellationToken))
        {
            await tasks.CompleteAsync(task.TaskId, TaskOutcome.Cancelled, decision.Reviewer, decision.DecidedAt, cancellationToken);
        }

        // The decision last: callers take a recorded decision for a finished one and do not come back.
        await requests.SaveAsync(request, step, "refused", decision.Reviewer, decision.DecidedAt, cancellationToken);
        logger.LogInformation("Request {RequestId} refused ({Exemption})", request.Id, decision.Exemption);
    }

    /// <summary>Records an approval the model took (<see cref="DataSubjectRequest.Approve"/>) and completes the DPO's open decision task, so the task list shows it done.</summary>
    public async Task ApproveAsync(DataSubjectRequest request, string step, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var decision = request.State.Decision ?? throw new InvalidOperationException($"Request {request.Id} carries no approval.");
        foreach (var (kind, outcome) in new[] { (TaskKind.Approval, TaskOutcome.Approved), (TaskKind.DpoReview, TaskOutcome.Resolved) })
        {
            await tasks.CompleteAsync(TaskStore.IdFor(request.Id, kind), outcome, decision.Reviewer, decision.DecidedAt, cancellationToken);
        }

        await audit.AppendAsync(RequestAuditEvents.Step(request.Loaded, AuditActions.RequestApproved, "approved", decision.Reviewer), cancellationToken);

        // The decision last, as for a refusal.
        await requests.SaveAsync(request, step, decision.Decision, decision.Reviewer, decision.DecidedAt, cancellationToken);
    }
}
