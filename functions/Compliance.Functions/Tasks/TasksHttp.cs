using Compliance.Audit;
using Compliance.Functions.Http;
using Compliance.Functions.Requests;
using Compliance.Identity;
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
    private static readonly string[] StaffRoles = [Role.Dpo, Role.Researcher, Role.Admin];

    /// <summary><c>GET /api/tasks?status=open|completed&amp;requestId=</c>: tasks, oldest due first. Ids and kinds only.</summary>
    [Function(nameof(ListTasks))]
    public async Task<IActionResult> ListTasks(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "tasks")] HttpRequest req,
        CancellationToken cancellationToken)
    {
        var auth = StaffAuthorization.Require(req, StaffRoles);
        if (auth.Denied is not null)
        {
            return auth.Denied;
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var status = req.Query["status"].ToString() is { Length: > 0 } s ? s : TaskStore.Open;
        if (status is not (TaskStore.Open or TaskStore.Done))
        {
            errors["status"] = [$"must be {TaskStore.Open} or {TaskStore.Done}."];
        }

        var requestId = req.Query["requestId"].ToString() is { Length: > 0 } r ? r : null;
        if (requestId is not null && !Compliance.Requests.RequestId.IsWellFormed(requestId) && !Compliance.Mail.Intake.MessageIds.IsIntakeKey(requestId) && !Compliance.PseudonymousId.IsWellFormed(requestId, "SG") && !Retention.RetentionSweepOrchestration.IsInstanceId(requestId))
        {
            errors["requestId"] = ["must be a request id such as DSR-20261125-7KQ2M9XA, an email's intake key (MAIL-…), a disclosure id (SG-…) or a study's retention sweep (retention-{studyId})."];
        }

        if (errors.Count > 0)
        {
            return ApiProblem.Validation(errors);
        }

        return new OkObjectResult(new { tasks = await tasks.ListAsync(status, requestId, cancellationToken) });
    }

    /// <summary>
    /// <c>POST /api/tasks/{id}/complete</c> with <c>{outcome}</c>: completes an open task once and resumes its workflow. An
    /// identity check found <c>verified</c> may name the participant the requester turned out to be (<c>participantId</c>).
    /// </summary>
    [Function(nameof(CompleteTask))]
    public async Task<IActionResult> CompleteTask(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "tasks/{id}/complete")] HttpRequest req,
        string id,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(durable);
        var auth = StaffAuthorization.Require(req, StaffRoles);
        if (auth.Denied is not null)
        {
            return auth.Denied;
        }

        var task = id.Length <= 200 ? await tasks.FindAsync(id, cancellationToken) : null;
        if (task is null)
        {
            return ApiProblem.NotFound("There is no task with that id.");
        }

        if (!auth.Principal!.Roles.Contains(task.AssigneeRole))
        {
            return ApiProblem.Forbidden($"This task is for the role {task.AssigneeRole}.");
        }

        var (document, problem) = await JsonBody.ReadObjectAsync(req, httpOptions.Value.MaxJsonBodyBytes, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        string? outcome;
        string? participantId;
        using (document)
        {
            var allowed = TaskKind.Outcomes.GetValueOrDefault(task.Kind, []);
            var fields = new JsonFields(document!.RootElement, task.Kind == TaskKind.IdentityCheck ? ["outcome", "participantId"] : ["outcome"]);
            outcome = fields.Text("outcome", required: true, 32, o => allowed.Contains(o), $"must be one of: {string.Join(", ", allowed)}.");
            participantId = fields.Text("participantId", required: false, 64);
            if (participantId is not null && outcome == TaskOutcome.Verified && await studies.FindParticipantAsync(task.StudyId, participantId, cancellationToken) is null)
            {
                fields.Add("participantId", "is not a participant of the request's study.");
            }

            if (fields.HasErrors)
            {
                return ApiProblem.Validation(fields.Errors);
            }
        }

        var now = time.GetUtcNow();
        var completion = await tasks.CompleteAsync(task.TaskId, outcome!, auth.Principal.Id, now, cancellationToken);
        if (completion == TaskCompletion.AlreadyCompleted)
        {
            return ApiProblem.Create(StatusCodes.Status409Conflict, "conflict", "Already completed.", "The task was completed before; nothing was changed.");
        }

        if (participantId is not null && outcome == TaskOutcome.Verified)
        {
            // The DPO found who the requester is: the request now acts on that participant's data.
            var request = await requests.LoadAsync(task.RequestId, cancellationToken);
            request.LinkParticipant(participantId);
            await requests.SaveAsync(request, "participant-linked", "participant-linked", auth.Principal.Id, now, cancellationToken);
        }

        await audit.AppendAsync(
            new AuditEvent(auth.Principal.Id, AuditActions.TaskCompleted)
            {
                StudyId = task.StudyId,
                RequestId = task.RequestId,
                Details = new Dictionary<string, string> { ["taskId"] = task.TaskId, ["kind"] = task.Kind, ["outcome"] = outcome! },
                IdempotencyKey = $"{task.TaskId}:completed",
            },
            cancellationToken);
        if (TaskKind.ResumesWorkflow(task.Kind))
        {
            await durable.RaiseEventAsync(task.RequestId, RequestEvents.TaskCompleted(task.Kind), new TaskCompletedEvent(task.TaskId, outcome!, now), cancellationToken);
        }

        logger.LogInformation("Task {TaskId} completed: {Outcome}", task.TaskId, outcome);
        return new OkObjectResult(task with { Status = TaskStore.Done, Outcome = outcome, CompletedAt = now, CompletedBy = auth.Principal.Id });
    }
}
