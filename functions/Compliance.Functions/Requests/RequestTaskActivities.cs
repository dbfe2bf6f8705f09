using Compliance.Audit;
using Compliance.Requests;
using Compliance.Tasks;
using Microsoft.Azure.Functions.Worker;

namespace Compliance.Functions.Requests;

/// <summary>A request's manual tasks for staff, and the approval recorded when the DPO completes one; each once (ADR 0003).</summary>
public sealed class RequestTaskActivities(
    RequestStore requests,
    TaskStore tasks,
    RequestDecisions decisions,
    AuditLog audit)
{
    /// <summary>Creates a manual task for the request (once: its id comes from the request and the kind) and audits it.</summary>
    [Function(nameof(CreateTask))]
    public async Task<string> CreateTask([ActivityTrigger] CreateTaskInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var request = await requests.GetAsync(input.RequestId, cancellationToken);
        var task = await tasks.EnsureAsync(new ManualTask
        {
            TaskId = TaskStore.IdFor(request.RequestId, input.Kind),
            Workflow = WorkflowRef.Request(request.RequestId),
            StudyId = request.StudyId,
            Kind = input.Kind,
            AssigneeRole = TaskKind.AssigneeOf(input.Kind),
            CreatedAt = input.At,
            DueAt = input.DueAt,
            Status = TaskStore.Open,
        }, cancellationToken);
        await audit.AppendAsync(RequestAuditEvents.Step(request, AuditActions.TaskCreated, $"task-{input.Kind}", AuditActors.System, ("taskId", task.TaskId), ("kind", input.Kind)), cancellationToken);
        return task.TaskId;
    }

    /// <summary>Records the approval the DPO gave by completing the approval task, as the decision with reviewer and date.</summary>
    [Function(nameof(RecordApprovalByTask))]
    public async Task RecordApprovalByTask([ActivityTrigger] RequestStepInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var request = await requests.LoadAsync(input.RequestId, cancellationToken);
        var task = await tasks.FindAsync(TaskStore.IdFor(request.Id, TaskKind.Approval), cancellationToken);
        if (request.Approve(task?.CompletedBy ?? AuditActors.System, task?.CompletedAt ?? input.At) is null)
        {
            await decisions.ApproveAsync(request, "approved-by-task", cancellationToken);
        }
    }
}
