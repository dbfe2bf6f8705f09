using Compliance.Audit;
using Compliance.Requests;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Compliance.Functions.Requests;

/// <summary>
/// Records a workflow step that failed its retries, and its recovery, on the request, in its history and in the audit log,
/// so the work queue shows it and the DPO can retry it. Idempotent by the stall's number and round.
/// </summary>
public sealed class RequestStallActivities(RequestStore requests, AuditLog audit, ILogger<RequestStallActivities> logger)
{
    /// <summary>The step failed: the request shows the stall until the step runs.</summary>
    [Function(nameof(RecordStall))]
    public async Task RecordStall([ActivityTrigger] RequestStallInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var request = await requests.LoadAsync(input.RequestId, cancellationToken);
        var key = $"stall-{input.Stall}-{input.Failures}";
        var error = input.Error ?? "unknown";
        await audit.AppendAsync(
            RequestAuditEvents.Step(request.State, AuditActions.StepFailed, key, AuditActors.System, ("step", input.Step), ("error", error), ("failures", input.Failures.ToString(System.Globalization.CultureInfo.InvariantCulture))),
            cancellationToken);
        request.Stalled(input.Step, error, input.At);
        await requests.SaveAsync(request, key, "step-failed", AuditActors.System, input.At, cancellationToken);
        logger.LogWarning("Request {RequestId}: step {Step} failed its retries ({Error}); the workflow waits to retry it", input.RequestId, input.Step, error);
    }

    /// <summary>The stalled step ran: the stall is cleared, and the DPO's retry, if it was one, is recorded as applied.</summary>
    [Function(nameof(RecoverStall))]
    public async Task RecoverStall([ActivityTrigger] RequestStallInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var request = await requests.LoadAsync(input.RequestId, cancellationToken);
        var key = $"stall-{input.Stall}-recovered";
        var action = input.RetryActionId is { } actionId ? await requests.FindActionAsync(input.RequestId, actionId, cancellationToken) : null;
        var actor = action?.Actor ?? AuditActors.System;
        await audit.AppendAsync(
            RequestAuditEvents.Step(request.State, AuditActions.StepRetried, key, actor, ("step", input.Step), ("failures", input.Failures.ToString(System.Globalization.CultureInfo.InvariantCulture))),
            cancellationToken);
        if (action is { Result: null })
        {
            await requests.SetActionResultAsync(input.RequestId, action.ActionId, "applied", cancellationToken);
        }

        request.Recovered();
        await requests.SaveAsync(request, key, "step-retried", actor, input.At, cancellationToken);
        logger.LogInformation("Request {RequestId}: step {Step} ran again after {Failures} failed rounds", input.RequestId, input.Step, input.Failures);
    }
}
