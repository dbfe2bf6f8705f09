using Compliance.Requests;
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

        context.SetCustomStatus(new RequestWorkflowStatus("acknowledging"));
        await context.CallActivityAsync<AcknowledgeRequestResult>(
            nameof(RequestActivities.AcknowledgeRequest),
            new AcknowledgeRequestInput(input.RequestId, context.CurrentUtcDateTime),
            ActivityRetry);

        context.SetCustomStatus(new RequestWorkflowStatus(RequestStatus.Acknowledged));
        logger.LogInformation("Request {RequestId} acknowledged", input.RequestId);
        return new RequestWorkflowResult(input.RequestId, RequestStatus.Acknowledged);
    }
}
