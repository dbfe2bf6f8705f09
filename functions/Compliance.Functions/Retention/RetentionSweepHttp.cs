using Compliance.Functions.Http;
using Compliance.Identity;
using Compliance.Retention;
using Compliance.Studies;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Compliance.Functions.Retention;

/// <summary>
/// <c>GET /api/studies/{id}/retention/sweep</c>: the study's sweep workflow as it stands (its progress while it runs, its
/// outcome and certificate once done), read from the engine: the sweep's instance id is the study's, so there is one to ask.
/// </summary>
public sealed class RetentionSweepHttp(StudyStore studies)
{
    [Function(nameof(GetRetentionSweep))]
    public async Task<IActionResult> GetRetentionSweep(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/studies/{id}/retention/sweep")] HttpRequest req,
        string id,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(durable);
        var (_, study, problem) = await StaffRoute.FindAsync(req, Role.RequestHandlers, StudyIds.IsWellFormed(id), () => studies.FindStudyAsync(id, cancellationToken), "There is no study with that id.");
        if (problem is not null)
        {
            return problem;
        }

        var instanceId = RetentionSweepOrchestration.InstanceIdFor(study!.StudyId);
        var instance = await durable.GetInstanceAsync(instanceId, getInputsAndOutputs: true, cancellationToken);
        return new OkObjectResult(ViewOf(study.StudyId, instanceId, instance));
    }

    private static SweepView ViewOf(string studyId, string instanceId, OrchestrationMetadata? instance)
    {
        if (instance is null)
        {
            return new SweepView(studyId, instanceId, SweepState.None, null, 0, 0, null, null, null, null, 0, 0, 0);
        }

        var state = instance.RuntimeStatus switch
        {
            OrchestrationRuntimeStatus.Completed => SweepState.Completed,
            OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated => SweepState.Failed,
            _ => SweepState.Running,
        };
        var progress = instance.SerializedCustomStatus is null ? null : instance.ReadCustomStatusAs<SweepStatus>();
        var result = state == SweepState.Completed ? instance.ReadOutputAs<RetentionSweepResult>() : null;
        return new SweepView(
            studyId, instanceId, state, progress?.Step, progress?.BatchesDone ?? 0, progress?.Batches ?? 0, instance.CreatedAt, instance.LastUpdatedAt,
            result?.Outcome, result?.CertificateId, result?.Deleted ?? 0, result?.HeldBlobs ?? 0, result?.StillPresent ?? 0);
    }
}
