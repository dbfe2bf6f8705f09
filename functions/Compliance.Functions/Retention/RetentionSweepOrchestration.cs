using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace Compliance.Functions.Retention;

/// <summary>
/// A study's retention sweep. Its instance id comes from the study, so two sweeps of one study never run at once. It takes
/// and stores an inventory first (a restarted sweep carries out the same plan), leaves out what holds cover, deletes in
/// parallel batches of bounded size and number, checks nothing planned is still listable, erases the participants' contact
/// details, purges the study's finished workflow histories, and writes a deletion certificate. Counts and ids only.
/// </summary>
public static class RetentionSweepOrchestration
{
    /// <summary>The instance id of <paramref name="studyId"/>'s sweep.</summary>
    public static string InstanceIdFor(string studyId) => "retention-" + studyId;

    [Function(nameof(RetentionSweep))]
    public static async Task<RetentionSweepResult> RetentionSweep([OrchestrationTrigger] TaskOrchestrationContext context, RetentionSweepInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        var retry = ActivityRetry.Default;
        var studyId = input.StudyId;
        var plan = await context.CallActivityAsync<SweepPlan>(nameof(RetentionActivities.PlanSweep), new SweepStepInput(studyId, string.Empty, context.CurrentUtcDateTime), retry);
        if (!plan.Due)
        {
            return new RetentionSweepResult(studyId, "not-due", null, 0, 0, 0);
        }

        var step = new SweepStepInput(studyId, plan.SweepId, context.CurrentUtcDateTime);
        context.SetCustomStatus(new SweepStatus("inventory", 0, 0));
        var inventory = await context.CallActivityAsync<SweepInventorySummary>(nameof(RetentionActivities.TakeInventory), step, retry);

        // Bounded fan-out: at most MaxParallelBatches batch activities in flight.
        var parallel = await context.CallActivityAsync<int>(nameof(RetentionActivities.SweepParallelism), step, retry);
        var running = new List<Task<int>>();
        var done = 0;
        for (var batch = 0; batch < inventory.Batches; batch++)
        {
            if (running.Count >= parallel)
            {
                var finished = await Task.WhenAny(running);
                running.Remove(finished);
                done++;
                context.SetCustomStatus(new SweepStatus("deleting", done, inventory.Batches));
            }

            running.Add(context.CallActivityAsync<int>(nameof(RetentionActivities.DeleteBatch), new SweepBatchInput(studyId, plan.SweepId, batch), retry));
        }

        await Task.WhenAll(running);
        context.SetCustomStatus(new SweepStatus("erasing-contact-details", inventory.Batches, inventory.Batches));
        await context.CallActivityAsync(nameof(RetentionActivities.EraseStudyContacts), step, retry);
        context.SetCustomStatus(new SweepStatus("purging-histories", inventory.Batches, inventory.Batches));
        var purged = await context.CallActivityAsync<int>(nameof(RetentionActivities.PurgeStudyHistories), step, retry);
        context.SetCustomStatus(new SweepStatus("certifying", inventory.Batches, inventory.Batches));
        return await context.CallActivityAsync<RetentionSweepResult>(
            nameof(RetentionActivities.IssueCertificate),
            new CertificateInput(studyId, plan.SweepId, step.At, purged, context.CurrentUtcDateTime),
            retry);
    }
}

/// <summary>Writes the certificate of a finished sweep.</summary>
public sealed record CertificateInput(string StudyId, string SweepId, DateTimeOffset StartedAt, int HistoriesPurged, DateTimeOffset At);
