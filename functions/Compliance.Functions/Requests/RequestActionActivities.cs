using Compliance.Audit;
using Compliance.Deadlines;
using Compliance.Mail;
using Compliance.Requests;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Compliance.Functions.Requests;

/// <summary>
/// Carries out the DPO's actions on a request, inside its workflow: decisions, clarification pauses, extensions, new codes.
/// Idempotent by the action's id: the action row records the result, emails are create-only by key, history rows by step.
/// </summary>
public sealed class RequestActionActivities(
    RequestStore requests,
    Mailer mailer,
    RequestDecisions decisions,
    AuditLog audit,
    DeadlineCalculator deadlines,
    ILogger<RequestActionActivities> logger)
{
    private const string Applied = "applied";

    /// <summary>Applies one stored action; an action that no longer fits is recorded as rejected, with why.</summary>
    [Function(nameof(ApplyRequestAction))]
    public async Task<RequestActionResult> ApplyRequestAction([ActivityTrigger] RequestActionInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var request = await requests.GetAsync(input.RequestId, cancellationToken);
        var action = await requests.FindActionAsync(input.RequestId, input.ActionId, cancellationToken)
            ?? throw new InvalidOperationException($"Action {input.ActionId} of request {input.RequestId} is not recorded.");
        if (action.Result is null)
        {
            // An action's effects (emails, audit, tasks) all come before its history entry, which is written with the state
            // the action moves the request to. An entry that is there, and is no rejection, means an attempt that died before
            // recording the result had carried the action out in full; applied again, it would be rejected by its own state.
            var done = await requests.FindStepAsync(request.RequestId, $"action-{action.ActionId}", cancellationToken);
            var rejection = done is not null && !done.Event.EndsWith("-rejected", StringComparison.Ordinal)
                ? null
                : await ApplyAsync(request, action, cancellationToken);
            if (rejection is not null)
            {
                await requests.RecordStepAsync(request, $"action-{action.ActionId}", $"{action.Action}-rejected", action.Actor, action.At, cancellationToken);
                await audit.AppendAsync(RequestAuditEvents.Step(request, AuditActions.ActionRejected, $"action-{action.ActionId}-rejected", action.Actor, ("action", action.Action), ("actionId", action.ActionId), ("why", rejection)), cancellationToken);
                logger.LogInformation("Request {RequestId}: {Action} rejected ({Why})", request.RequestId, action.Action, rejection);
            }

            await requests.SetActionResultAsync(request.RequestId, action.ActionId, rejection is null ? Applied : $"rejected: {rejection}", cancellationToken);
            action = action with { Result = rejection is null ? Applied : rejection };
            request = await requests.FindAsync(input.RequestId, cancellationToken) ?? request;
        }

        return new RequestActionResult(action.Action, action.Result == Applied, request.DueDate, request.IsPaused, request.Decision?.Decision);
    }

    /// <summary>
    /// Carries out the action; returns a code saying why it was not, or null when it was. The model decides and applies; its
    /// effects (emails, audit) are written first and the new state with its history entry last, so a retry after a crash part
    /// way finds the state unchanged and does the same again (every write is keyed by the action).
    /// </summary>
    private async Task<string?> ApplyAsync(DataSubjectRequestRecord record, RequestActionRecord action, CancellationToken cancellationToken)
    {
        var request = DataSubjectRequest.From(record);
        if (request.Act(action, deadlines) is { } rejection)
        {
            return rejection.Code;
        }

        var step = $"action-{action.ActionId}";

        // The route audited the request for the action under the step's own key; what the action did is audited apart.
        var applied = $"{step}-applied";
        var state = request.State;
        switch (RequestAction.KindOf(action.Action))
        {
            case RequestActionKind.Approve:
                await decisions.ApproveAsync(request, step, cancellationToken);
                return null;

            case RequestActionKind.Refuse:
                await decisions.RefuseAsync(request, step, cancellationToken);
                return null;

            case RequestActionKind.ReissueCode:
                await requests.SaveAsync(request, step, "code-reissued", action.Actor, action.At, cancellationToken);
                return null;

            case RequestActionKind.Clarify:
                await mailer.SendToRequesterAsync(record, EmailKind.Clarification, $"clarification-{action.ActionId}", new Dictionary<string, string> { ["question"] = action.Text ?? string.Empty }, action.At, cancellationToken);
                await audit.AppendAsync(RequestAuditEvents.Step(record, AuditActions.ClockPaused, applied, action.Actor, ("actionId", action.ActionId)), cancellationToken);
                await requests.SaveAsync(request, step, "clock-paused", action.Actor, action.At, cancellationToken);
                return null;

            case RequestActionKind.Resume:
                await audit.AppendAsync(RequestAuditEvents.Step(record, AuditActions.ClockResumed, applied, action.Actor, ("dueDate", Format(state.DueDate))), cancellationToken);
                await requests.SaveAsync(request, step, "clock-resumed", action.Actor, action.At, cancellationToken);
                return null;

            case RequestActionKind.Extend:
                var newDue = state.DueDate is { } d ? RequestEmails.FormatDate(d) : "the date we will confirm when your answer to our question reaches us";
                await mailer.SendToRequesterAsync(record, EmailKind.Extension, $"extension-{action.ActionId}", new Dictionary<string, string> { ["reason"] = action.Reason ?? string.Empty, ["newDueDate"] = newDue }, action.At, cancellationToken);
                await audit.AppendAsync(RequestAuditEvents.Step(record, AuditActions.RequestExtended, applied, action.Actor, ("dueDate", Format(state.DueDate))), cancellationToken);
                await requests.SaveAsync(request, step, "extended", action.Actor, action.At, cancellationToken);
                return null;

            default:
                return "not-a-workflow-action";
        }
    }

    private static string Format(DateOnly? date) => date is { } d ? RequestStore.FormatDate(d) : "none";
}
