using Compliance.Audit;
using Compliance.Functions.Http;
using Compliance.Functions.Requests;
using Compliance.Identity;
using Compliance.Paging;
using Compliance.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Compliance.Functions.Tasks;

/// <summary>Manual tasks: staff list them; the role a task names completes it, which resumes the waiting workflow.</summary>
public sealed class TasksHttp(
    TaskStore tasks,
    Compliance.Requests.RequestStore requests,
    Compliance.Studies.StudyStore studies,
    AuditLog audit,
    TimeProvider time,
    IOptions<HttpOptions> httpOptions,
    ILogger<TasksHttp> logger)
{
    internal static readonly string[] StaffRoles = [Role.Dpo, Role.Researcher, Role.Admin];

    /// <summary><c>GET /api/tasks?status=open|completed&amp;requestId=&amp;limit=&amp;continuation=</c>: one page of tasks, oldest due first. Ids and kinds only.</summary>
    [Function(nameof(ListTasks))]
    public async Task<IActionResult> ListTasks(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/tasks")] HttpRequest req,
        CancellationToken cancellationToken)
    {
        var auth = StaffAuthorization.Require(req, StaffRoles);
        if (auth.Denied is not null)
        {
            return auth.Denied;
        }

        var reader = new QueryReader(req.Query);
        reader.RejectUnknown(["status", "requestId", .. PageQuery.Parameters]);
        var status = reader.Text("status", v => v is TaskStore.Open or TaskStore.Done, $"must be {TaskStore.Open} or {TaskStore.Done}.") ?? TaskStore.Open;
        var requestId = reader.Text(
            "requestId",
            v => WorkflowRef.TryParse(v, out _),
            "must be a request id such as DSR-20261125-7KQ2M9XA, an email's intake key (MAIL-…), a disclosure id (SG-…) or a study's retention sweep (retention-{studyId}).");
        var page = PageQuery.Read(reader);
        if (reader.Problem() is { } problem)
        {
            return problem;
        }

        WorkflowRef? workflow = WorkflowRef.TryParse(requestId, out var parsed) ? parsed : null;
        return PageQuery.Answer(
            (await tasks.ListAsync(status, workflow, cancellationToken)).Select(TaskViews.From),
            t => $"{KeysetPaging.Ascending(t.DueAt)}|{t.TaskId}",
            page,
            (found, next) => new TaskList(found, next));
    }

    /// <summary>
    /// <c>POST /api/tasks/{id}/complete</c> with <c>{outcome}</c>: completes an open task once and resumes its workflow. An
    /// identity check found <c>verified</c> may name the participant the requester turned out to be (<c>participantId</c>).
    /// </summary>
    [Function(nameof(CompleteTask))]
    public async Task<IActionResult> CompleteTask(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/tasks/{id}/complete")] HttpRequest req,
        string id,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(durable);
        var (principal, task, problem) = await StaffRoute.FindAsync(req, StaffRoles, id.Length <= 200, () => tasks.FindAsync(id, cancellationToken), "There is no task with that id.");
        if (problem is not null)
        {
            return problem;
        }

        if (!principal!.Roles.Contains(task!.AssigneeRole))
        {
            return ApiProblem.Forbidden($"This task is for the role {task.AssigneeRole}.");
        }

        var (body, invalid) = await JsonBody.ReadAsync(req, TaskCompletionBody.For(task, studies), httpOptions.Value.MaxJsonBodyBytes, cancellationToken);
        return invalid ?? await CompleteAsync(task, body!, principal.Id, durable, cancellationToken);
    }

    private async Task<IActionResult> CompleteAsync(ManualTask task, TaskCompletionBody body, string by, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var outcome = body.Outcome;
        var now = time.GetUtcNow();
        var completion = await tasks.CompleteAsync(task.TaskId, outcome, by, now, cancellationToken);
        if (completion == TaskCompletion.AlreadyCompleted)
        {
            return ApiProblem.Create(StatusCodes.Status409Conflict, "conflict", "Already completed.", "The task was completed before; nothing was changed.");
        }

        if (body.LinksParticipant)
        {
            // The DPO found who the requester is: the request now acts on that participant's data.
            var request = await requests.LoadAsync(task.Workflow.Id, cancellationToken);
            request.LinkParticipant(body.ParticipantId!);
            await requests.SaveAsync(request, "participant-linked", "participant-linked", by, now, cancellationToken);
        }

        await audit.AppendAsync(
            new AuditEvent(by, AuditActions.TaskCompleted)
            {
                StudyId = task.StudyId,
                RequestId = task.Workflow.Id,
                Details = new Dictionary<string, string> { ["taskId"] = task.TaskId, ["kind"] = task.Kind, ["outcome"] = outcome },
                IdempotencyKey = $"{task.TaskId}:completed",
            },
            cancellationToken);
        if (TaskKind.ResumesWorkflow(task.Kind))
        {
            await durable.RaiseEventAsync(task.Workflow.Id, RequestEvents.TaskCompleted(task.Kind), new TaskCompletedEvent(task.TaskId, outcome, now), cancellationToken);
        }

        logger.LogInformation("Task {TaskId} completed: {Outcome}", task.TaskId, outcome);
        return new OkObjectResult(TaskViews.From(task with { Status = TaskStore.Done, Outcome = outcome, CompletedAt = now, CompletedBy = by }));
    }
}
