using System.Text.Json;
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
    RequestMailer mailer,
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
                await requests.RecordStepAsync(request.RequestId, $"action-{action.ActionId}", new RequestHistoryEntry(action.At, $"{action.Action}-rejected", request.Status, action.Actor), cancellationToken: cancellationToken);
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
    /// Carries out the action; returns a code saying why it was not, or null when it was. Its history entry, with the new
    /// state, is written last, so a retry after a crash part way finds the state unchanged and does the same again (every
    /// write is keyed by the action).
    /// </summary>
    private async Task<string?> ApplyAsync(DataSubjectRequestRecord request, RequestActionRecord action, CancellationToken cancellationToken)
    {
        if (!RequestStatus.IsOpen(request.Status))
        {
            return "closed";
        }

        var step = $"action-{action.ActionId}";

        // The route audited the request for the action under the step's own key; what the action did is audited apart.
        var applied = $"{step}-applied";
        var today = UkTime.DateOf(action.At);
        switch (action.Action)
        {
            case RequestAction.Approve:
                if (request.Decision is not null)
                {
                    return "already-decided";
                }

                await decisions.ApproveAsync(request, step, new RequestDecision(RequestDecision.Approved, action.Actor, action.At, null, null), action.At, cancellationToken);
                return null;

            case RequestAction.Refuse:
                if (request.Decision is not null)
                {
                    return "already-decided";
                }

                await decisions.RefuseAsync(request, new RequestDecision(RequestDecision.Refused, action.Actor, action.At, action.Exemption, action.Reason), step, action.At, cancellationToken);
                return null;

            case RequestAction.ReissueCode:
                if (request.Status != RequestStatus.AwaitingVerification)
                {
                    return "not-awaiting-a-code";
                }

                await requests.RecordStepAsync(request.RequestId, step, new RequestHistoryEntry(action.At, "code-reissued", request.Status, action.Actor), cancellationToken: cancellationToken);
                return null;

            case RequestAction.Clarify:
                if (request.ClockStartedAt is null || request.IsPaused)
                {
                    return request.IsPaused ? "already-paused" : "clock-not-started";
                }

                var paused = request.Pauses.Append(new ClockPause(today)).ToList();
                await mailer.SendToRequesterAsync(request, EmailKind.Clarification, $"clarification-{action.ActionId}", new Dictionary<string, string> { ["question"] = action.Text ?? string.Empty }, action.At, cancellationToken);
                await audit.AppendAsync(RequestAuditEvents.Step(request, AuditActions.ClockPaused, applied, action.Actor, ("actionId", action.ActionId)), cancellationToken);
                await WriteClockAsync(request, step, "clock-paused", RequestStatus.Paused, action.Actor, action.At, paused, extended: request.ExtendedTo is not null, Clock(request, paused, request.ExtendedTo is not null), cancellationToken);
                return null;

            case RequestAction.Resume:
                if (!request.IsPaused)
                {
                    return "not-paused";
                }

                var open = request.Pauses[^1];
                var resumed = request.Pauses.Take(request.Pauses.Count - 1).Append(open with { To = today < open.From ? open.From : today }).ToList();
                var deadline = Clock(request, resumed, request.ExtendedTo is not null);
                await audit.AppendAsync(RequestAuditEvents.Step(request, AuditActions.ClockResumed, applied, action.Actor, ("dueDate", Format(deadline.DueDate))), cancellationToken);
                await WriteClockAsync(request, step, "clock-resumed", RequestStatus.InProgress, action.Actor, action.At, resumed, extended: request.ExtendedTo is not null, deadline, cancellationToken);
                return null;

            case RequestAction.Extend:
                if (request.ClockStartedAt is not { } started || request.ExtendedTo is not null)
                {
                    return request.ExtendedTo is null ? "clock-not-started" : "already-extended";
                }

                var clockStart = UkTime.DateOf(started);
                if (today < clockStart || !deadlines.IsWithinFirstMonth(clockStart, today, request.Pauses))
                {
                    return "first-month-passed";
                }

                var extendedDeadline = Clock(request, request.Pauses, extended: true);
                var newDue = extendedDeadline.DueDate is { } d ? RequestEmails.FormatDate(d) : "the date we will confirm when your answer to our question reaches us";
                await mailer.SendToRequesterAsync(request, EmailKind.Extension, $"extension-{action.ActionId}", new Dictionary<string, string> { ["reason"] = action.Reason ?? string.Empty, ["newDueDate"] = newDue }, action.At, cancellationToken);
                await audit.AppendAsync(RequestAuditEvents.Step(request, AuditActions.RequestExtended, applied, action.Actor, ("dueDate", Format(extendedDeadline.DueDate))), cancellationToken);
                await WriteClockAsync(request, step, "extended", request.Status, action.Actor, action.At, request.Pauses, extended: true, extendedDeadline, cancellationToken);
                return null;

            default:
                return "not-a-workflow-action";
        }
    }

    /// <summary>The due date, with its derivation, that <paramref name="pauses"/> (and an extension) give the request.</summary>
    private Deadline Clock(DataSubjectRequestRecord request, IReadOnlyList<ClockPause> pauses, bool extended)
    {
        var receivedOn = UkTime.DateOf(request.ReceivedAt);
        var clockStart = UkTime.DateOf(request.ClockStartedAt!.Value);
        return deadlines.Calculate(new DeadlineInput(receivedOn, clockStart > receivedOn ? clockStart : null, pauses, extended));
    }

    /// <summary>Stores the pauses (and extension) and the due date they give, with its derivation.</summary>
    private async Task WriteClockAsync(
        DataSubjectRequestRecord request,
        string step,
        string historyEvent,
        string status,
        string actor,
        DateTimeOffset at,
        IReadOnlyList<ClockPause> pauses,
        bool extended,
        Deadline deadline,
        CancellationToken cancellationToken)
    {
        await requests.RecordStepAsync(
            request.RequestId,
            step,
            new RequestHistoryEntry(at, historyEvent, status, actor),
            new Dictionary<string, object?>
            {
                ["Pauses"] = RequestStore.PausesColumn(pauses),
                ["PausedDays"] = deadline.PausedDays,
                ["DueDate"] = deadline.DueDate is { } due ? RequestStore.FormatDate(due) : string.Empty,
                ["DueDateDerivation"] = JsonSerializer.Serialize(deadline.Derivation),
                ["ExtendedTo"] = extended && deadline.DueDate is { } extendedTo ? RequestStore.FormatDate(extendedTo) : (request.ExtendedTo is { } kept ? RequestStore.FormatDate(kept) : null),
            },
            cancellationToken);
    }

    private static string Format(DateOnly? date) => date is { } d ? RequestStore.FormatDate(d) : "none";
}
