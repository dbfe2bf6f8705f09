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
    private static readonly TaskOptions ActivityRetry = TaskOptions.FromRetryPolicy(
        new RetryPolicy(maxNumberOfAttempts: 5, firstRetryInterval: TimeSpan.FromSeconds(1), backoffCoefficient: 2.0));

    [Function(nameof(DataSubjectRequest))]
    public static async Task<RequestWorkflowResult> DataSubjectRequest(
        [OrchestrationTrigger] TaskOrchestrationContext context,
        RequestWorkflowInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        var logger = context.CreateReplaySafeLogger(nameof(DataSubjectRequest));
        var id = input.RequestId;

        context.SetCustomStatus(new RequestWorkflowStatus("preparing"));
        var plan = await context.CallActivityAsync<RequestPlan>(nameof(RequestActivities.PrepareRequest), new RequestStepInput(id, context.CurrentUtcDateTime), ActivityRetry);

        context.SetCustomStatus(new RequestWorkflowStatus("acknowledging"));
        await context.CallActivityAsync<AcknowledgeRequestResult>(
            nameof(RequestActivities.AcknowledgeRequest),
            new AcknowledgeRequestInput(id, context.CurrentUtcDateTime),
            ActivityRetry);

        var clockStartAt = plan.ReceivedAt;
        if (plan.VerificationMode == VerificationMode.CodeToHeldAddress)
        {
            context.SetCustomStatus(new RequestWorkflowStatus(RequestStatus.AwaitingVerification));
            await context.CallActivityAsync(nameof(RequestActivities.SendVerificationCode), new VerificationCodeInput(id, 1, context.CurrentUtcDateTime), ActivityRetry);
            var verified = await WaitForVerificationAsync(context, plan, id);
            if (verified is null)
            {
                await context.CallActivityAsync(nameof(RequestActivities.CloseUnverified), new RequestStepInput(id, context.CurrentUtcDateTime), ActivityRetry);
                logger.LogInformation("Request {RequestId} closed unverified", id);
                return new RequestWorkflowResult(id, RequestStatus.ClosedUnverified);
            }

            clockStartAt = verified.VerifiedAt;
        }
        else if (plan.VerificationMode == VerificationMode.DetailsCheck)
        {
            // The requester is asked for details only a participant would know, and the DPO decides on them in a task.
            context.SetCustomStatus(new RequestWorkflowStatus(RequestStatus.AwaitingIdentityCheck));
            var closeAt = plan.CloseUnverifiedAfter.AddTo(context.CurrentUtcDateTime);
            await context.CallActivityAsync(nameof(RequestActivities.AskForIdentityDetails), new RequestStepInput(id, context.CurrentUtcDateTime), ActivityRetry);
            await context.CallActivityAsync<string>(nameof(RequestActivities.CreateTask), new CreateTaskInput(id, TaskKind.IdentityCheck, closeAt, context.CurrentUtcDateTime), ActivityRetry);
            var decision = await WaitForTaskAsync(context, TaskKind.IdentityCheck, closeAt);
            if (decision?.Outcome != TaskOutcome.Verified)
            {
                await context.CallActivityAsync(nameof(RequestActivities.CloseUnverified), new RequestStepInput(id, context.CurrentUtcDateTime), ActivityRetry);
                return new RequestWorkflowResult(id, RequestStatus.ClosedUnverified);
            }

            clockStartAt = decision.CompletedAt;
        }

        context.SetCustomStatus(new RequestWorkflowStatus(RequestStatus.InProgress));
        var clock = await context.CallActivityAsync<StartClockResult>(
            nameof(RequestActivities.StartClock),
            new StartClockInput(id, clockStartAt, plan.VerificationMode != VerificationMode.None, context.CurrentUtcDateTime),
            ActivityRetry);
        logger.LogInformation("Request {RequestId}: clock started {ClockStart}, due {DueDate}", id, clock.ClockStart, clock.DueDate);
        return new RequestWorkflowResult(id, RequestStatus.InProgress);
    }

    /// <summary>Waits for a manual task of <paramref name="kind"/> to be completed, until <paramref name="until"/>; null when it was not.</summary>
    private static async Task<TaskCompletedEvent?> WaitForTaskAsync(TaskOrchestrationContext context, string kind, DateTime until)
    {
        using var cancel = new CancellationTokenSource();
        var completed = context.WaitForExternalEvent<TaskCompletedEvent>(RequestEvents.TaskCompleted(kind), cancel.Token);
        var timeout = context.CreateTimer(until, cancel.Token);
        var winner = await Task.WhenAny(completed, timeout);
        cancel.Cancel();
        return winner == completed ? await completed : null;
    }

    /// <summary>
    /// Waits for the requester's identity to be verified, with a reminder after the policy's period and closure after its
    /// longer one. Returns null when it closed unverified.
    /// </summary>
    private static async Task<IdentityVerifiedEvent?> WaitForVerificationAsync(TaskOrchestrationContext context, RequestPlan plan, string requestId)
    {
        var started = context.CurrentUtcDateTime;
        var closeAt = plan.CloseUnverifiedAfter.AddTo(started);
        var remindAt = plan.ReminderAfter.AddTo(started);
        using var cancel = new CancellationTokenSource();
        var verified = context.WaitForExternalEvent<IdentityVerifiedEvent>(RequestEvents.IdentityVerified, cancel.Token);
        var close = context.CreateTimer(closeAt, cancel.Token);
        if (remindAt < closeAt)
        {
            var remind = context.CreateTimer(remindAt, cancel.Token);
            if (await Task.WhenAny(verified, remind, close) == remind)
            {
                await context.CallActivityAsync(nameof(RequestActivities.SendVerificationReminder), new RequestStepInput(requestId, context.CurrentUtcDateTime), ActivityRetry);
            }
        }

        var winner = await Task.WhenAny(verified, close);
        cancel.Cancel();
        return winner == verified ? await verified : null;
    }
}
