using Compliance.Requests;
using Compliance.Tasks;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace Compliance.Functions.Requests;

/// <summary>
/// The workflow of one data-subject request; its instance id is the request id. Deterministic: time from the context,
/// every read and write in an activity, ids only in its state.
/// </summary>
public static class DataSubjectRequestOrchestration
{
    private static readonly TaskOptions ActivityRetry = Functions.ActivityRetry.Default;

    /// <summary>The first steps: the request is read and planned, then acknowledged.</summary>
    private const string Preparing = "preparing";
    private const string Acknowledging = "acknowledging";

    [Function(nameof(DataSubjectRequest))]
    public static async Task<RequestWorkflowResult> DataSubjectRequest(
        [OrchestrationTrigger] TaskOrchestrationContext context,
        RequestWorkflowInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        var logger = context.CreateReplaySafeLogger(nameof(DataSubjectRequest));
        var id = input.RequestId;
        var oversight = new RequestOversight(context, id, ActivityRetry);

        oversight.SetStep(Preparing);
        var plan = await oversight.StepAsync<RequestPlan>(nameof(RequestSetupActivities.PrepareRequest), new RequestStepInput(id, context.CurrentUtcDateTime));
        if (plan.DuplicateOf is not null)
        {
            // A second open request of the same type from the same participant: they are told the first goes on, and this closes.
            await oversight.StepAsync(nameof(RequestDuplicateActivities.LinkDuplicate), new RequestStepInput(id, context.CurrentUtcDateTime));
            return Finished(oversight, id, RequestStatus.Duplicate);
        }

        oversight.SetStep(Acknowledging);
        await oversight.StepAsync<AcknowledgeRequestResult>(
            nameof(RequestNoticeActivities.AcknowledgeRequest),
            new AcknowledgeRequestInput(id, context.CurrentUtcDateTime));

        var clockStartAt = plan.ReceivedAt;
        if (plan.VerificationMode == VerificationMode.CodeToHeldAddress)
        {
            oversight.SetStep(RequestStatus.AwaitingVerification);
            await oversight.StepAsync(nameof(VerificationCodeActivities.SendVerificationCode), new VerificationCodeInput(id, 1, context.CurrentUtcDateTime));
            var verified = await oversight.WaitForVerificationAsync(plan);
            if (oversight.Refused)
            {
                return Finished(oversight, id, RequestStatus.Refused);
            }

            if (verified is null)
            {
                await oversight.StepAsync(nameof(VerificationActivities.CloseUnverified), new RequestStepInput(id, context.CurrentUtcDateTime));
                logger.LogInformation("Request {RequestId} closed unverified", id);
                return Finished(oversight, id, RequestStatus.ClosedUnverified);
            }

            clockStartAt = verified.VerifiedAt;
        }
        else if (plan.VerificationMode == VerificationMode.DetailsCheck)
        {
            // The requester is asked for details only a participant would know, and the DPO decides on them in a task.
            oversight.SetStep(RequestStatus.AwaitingIdentityCheck);
            var closeAt = plan.CloseUnverifiedAfter.AddTo(context.CurrentUtcDateTime);
            await oversight.StepAsync(nameof(VerificationActivities.AskForIdentityDetails), new RequestStepInput(id, context.CurrentUtcDateTime));
            await CreateTaskAsync(context, oversight, id, TaskKind.IdentityCheck, closeAt);
            using var cancel = new CancellationTokenSource();
            var decision = context.WaitForExternalEvent<TaskCompletedEvent>(RequestEvents.TaskCompleted(TaskKind.IdentityCheck), cancel.Token);
            var timeout = context.CreateTimer(closeAt, cancel.Token);
            if (!await oversight.WaitUntilAsync(() => decision.IsCompleted || timeout.IsCompleted, decision, timeout))
            {
                return Finished(oversight, id, RequestStatus.Refused);
            }

            cancel.Cancel();
            if (!decision.IsCompletedSuccessfully || (await decision).Outcome != TaskOutcome.Verified)
            {
                await oversight.StepAsync(nameof(VerificationActivities.CloseUnverified), new RequestStepInput(id, context.CurrentUtcDateTime));
                return Finished(oversight, id, RequestStatus.ClosedUnverified);
            }

            clockStartAt = (await decision).CompletedAt;
        }

        oversight.SetStep(RequestStatus.InProgress);
        var clock = await oversight.StepAsync<StartClockResult>(
            nameof(RequestSetupActivities.StartClock),
            new StartClockInput(id, clockStartAt, plan.VerificationMode != VerificationMode.None, context.CurrentUtcDateTime));
        oversight.ClockStarted(clock);
        logger.LogInformation("Request {RequestId}: clock started {ClockStart}, due {DueDate}", id, clock.ClockStart, clock.DueDate);

        var status = await RequestWork.RunAsync(context, oversight, id, plan.RequestType);
        logger.LogInformation("Request {RequestId} finished: {Status}", id, status);
        return Finished(oversight, id, status);
    }

    /// <summary>
    /// Whether a stalled workflow may start again from the beginning at <paramref name="step"/>: up to its acknowledgement,
    /// whose steps are idempotent by the request id and before it has sent a code or waited for anyone.
    /// </summary>
    public static bool MayRestartAt(string? step) => step is null or Preparing or Acknowledging;

    /// <summary>
    /// The step a workflow shows once its work is done. The engine completes an instance only when none of its activity calls
    /// is still open; one the watchdog had scheduled again leaves the lost call open for good, so such an instance stays
    /// Running at this step, and the watchdog terminates it (<see cref="Maintenance.WorkflowWatchdog.FinishedReason"/>).
    /// </summary>
    public const string FinishedStep = "finished";

    private static RequestWorkflowResult Finished(RequestOversight oversight, string requestId, string status)
    {
        oversight.SetStep(FinishedStep);
        return new(requestId, status);
    }

    /// <summary>Creates a manual task of <paramref name="kind"/> for the request, due at <paramref name="dueAt"/>.</summary>
    internal static Task<string> CreateTaskAsync(TaskOrchestrationContext context, RequestOversight oversight, string requestId, string kind, DateTime dueAt) =>
        oversight.StepAsync<string>(nameof(RequestTaskActivities.CreateTask), new CreateTaskInput(requestId, kind, dueAt, context.CurrentUtcDateTime));
}
