using Compliance.Audit;
using Compliance.Deadlines;
using Compliance.Functions.Http;
using Compliance.Identity;
using Compliance.Requests;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Compliance.Functions.Requests;

/// <summary>
/// <c>POST /api/requests/{id}/{action}</c>: the DPO's actions on a request. The route asks the request model whether the
/// action fits and answers at once; the workflow carries it out (asking the model again, for actions that raced each other).
/// </summary>
public sealed class RequestActionsHttp(
    RequestStore requests,
    DeadlineCalculator deadlines,
    AuditLog audit,
    TimeProvider time,
    IOptions<HttpOptions> httpOptions,
    ILogger<RequestActionsHttp> logger)
{
    internal static readonly string[] DpoOnly = [Role.Dpo];

    /// <summary>
    /// Checks the action fits the request as it stands (the request model's own rule, which the workflow applies again),
    /// stores it and hands it to the request's workflow; <c>note</c> is recorded here and goes no further.
    /// </summary>
    [Function(nameof(ActOnRequest))]
    public async Task<IActionResult> ActOnRequest(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/requests/{id}/{action}")] HttpRequest req,
        string id,
        string action,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(durable);
        var auth = StaffAuthorization.Require(req, DpoOnly);
        if (auth.Denied is not null)
        {
            return auth.Denied;
        }

        if (RequestAction.KindOf(action) is not { } kind)
        {
            return ApiProblem.NotFound($"There is no action '{ApiProblem.Quote(action)}'. Actions: {string.Join(", ", RequestAction.All)}.");
        }

        var request = RequestId.IsWellFormed(id) ? await requests.FindAsync(id, cancellationToken) : null;
        if (request is null)
        {
            return ApiProblem.NotFound("There is no request with that id.");
        }

        var (body, problem) = await JsonBody.ReadAsync(req, RequestActionBody.For(kind), httpOptions.Value.MaxJsonBodyBytes, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var now = time.GetUtcNow();
        return await ActAsync(request, kind, body!.ToRecord(request.RequestId, NewActionId(now), action, auth.Principal!.Id, now), durable, cancellationToken);
    }

    /// <summary>Asks the request model whether the action fits now, stores it, and records it or hands it to the workflow.</summary>
    private async Task<IActionResult> ActAsync(DataSubjectRequestRecord request, RequestActionKind kind, RequestActionRecord record, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        if (DataSubjectRequest.From(request).Act(record, deadlines) is { } rejection)
        {
            return ApiProblem.Create(StatusCodes.Status409Conflict, "action-not-possible", $"The request cannot be {Past(kind)} now.", rejection.Why);
        }

        await requests.TryAddActionAsync(record, cancellationToken);
        return kind == RequestActionKind.Note
            ? await RecordNoteAsync(request, record, cancellationToken)
            : await HandToWorkflowAsync(request, record, durable, cancellationToken);
    }

    private async Task<IActionResult> RecordNoteAsync(DataSubjectRequestRecord request, RequestActionRecord note, CancellationToken cancellationToken)
    {
        await requests.RecordStepAsync(request, $"note-{note.ActionId}", "note", note.Actor, note.At, cancellationToken);
        await audit.AppendAsync(RequestAuditEvents.Step(request, AuditActions.NoteAdded, $"note-{note.ActionId}", note.Actor, ("actionId", note.ActionId)), cancellationToken);
        return new AcceptedResult((string?)null, new RequestActionResponse(request.RequestId, note.Action, note.ActionId, "recorded"));
    }

    private async Task<IActionResult> HandToWorkflowAsync(DataSubjectRequestRecord request, RequestActionRecord action, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var details = new List<(string, string)> { ("action", action.Action), ("actionId", action.ActionId) };
        if (action.Exemption is not null)
        {
            details.Add(("exemption", action.Exemption));
        }

        await audit.AppendAsync(RequestAuditEvents.Step(request, AuditActions.ActionRequested, $"action-{action.ActionId}", action.Actor, [.. details]), cancellationToken);

        // A retry goes to the stalled step, which waits for it alone; every other action to the workflow's queue of actions.
        await (RequestAction.KindOf(action.Action) == RequestActionKind.Retry
            ? durable.RaiseEventAsync(request.RequestId, RequestEvents.RetryStep, new RetryStepEvent(action.ActionId, action.At), cancellationToken)
            : durable.RaiseEventAsync(request.RequestId, RequestEvents.Action, new RequestActionEvent(action.ActionId, action.Action, action.At), cancellationToken));
        logger.LogInformation("Request {RequestId}: {Action} by the DPO handed to its workflow", request.RequestId, action.Action);
        return new AcceptedResult((string?)null, new RequestActionResponse(request.RequestId, action.Action, action.ActionId, "accepted"));
    }

    private static string NewActionId(DateTimeOffset now) => $"A{now:yyyyMMddHHmmss}-{Guid.NewGuid():N}"[..28];

    private static string Past(RequestActionKind action) => action switch
    {
        RequestActionKind.Approve => "approved",
        RequestActionKind.Refuse => "refused",
        RequestActionKind.Extend => "extended",
        RequestActionKind.Clarify => "paused for clarification",
        RequestActionKind.Resume => "resumed",
        RequestActionKind.Retry => "retried",
        _ => "given a new code",
    };
}
