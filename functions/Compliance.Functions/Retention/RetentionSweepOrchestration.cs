using Compliance.Functions.Requests;
using Compliance.Tasks;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace Compliance.Functions.Retention;

/// <summary>
/// A study's retention sweep. Its instance id comes from the study, so two sweeps of one study never run at once. It takes
/// and stores an inventory first (a restarted sweep carries out the same plan), leaves out what holds cover, deletes in
/// parallel batches of bounded size and number, checks nothing planned is still listable, erases the participants' contact
/// details, purges the study's finished workflow histories, tells the suppliers that transcribed its sessions to delete their
/// copies and waits for their confirmations (bounded by the policy), and writes a deletion certificate. Counts and ids only.
/// </summary>
public static class RetentionSweepOrchestration
{
    /// <summary>The instance id of <paramref name="studyId"/>'s sweep.</summary>
    public static string InstanceIdFor(string studyId) => "retention-" + studyId;

    /// <summary>Whether <paramref name="value"/> is a sweep's instance id (tasks of a sweep name it as the workflow they resume).</summary>
    public static bool IsInstanceId(string value) =>
        value is not null && value.StartsWith("retention-", StringComparison.Ordinal) && Compliance.Studies.StudyIds.IsWellFormed(value["retention-".Length..]);

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
        // Told now, so the time to confirm runs from the notice, not from the start of a long sweep.
        var suppliers = await context.CallActivityAsync<SweepSupplierNotice>(nameof(SweepSupplierNotices.NotifySweepSuppliers), step with { At = context.CurrentUtcDateTime }, retry);
        if (suppliers.Told.Count > 0)
        {
            context.SetCustomStatus(new SweepStatus("awaiting-supplier-confirmations", inventory.Batches, inventory.Batches));
            await WaitForConfirmationsAsync(context, suppliers);
        }

        context.SetCustomStatus(new SweepStatus("certifying", inventory.Batches, inventory.Batches));
        return await context.CallActivityAsync<RetentionSweepResult>(
            nameof(RetentionActivities.IssueCertificate),
            new CertificateInput(studyId, plan.SweepId, step.At, purged, context.CurrentUtcDateTime, suppliers.Told),
            retry);
    }

    /// <summary>
    /// Waits until the DPO has recorded every told supplier's confirmation (each completion of one of the sweep's tasks raises
    /// an event here) or the policy's time for confirming has passed; the certificate then says which confirmed.
    /// </summary>
    private static async Task WaitForConfirmationsAsync(TaskOrchestrationContext context, SweepSupplierNotice suppliers)
    {
        var pending = suppliers.Told.Select(t => t.TaskId).ToHashSet(StringComparer.Ordinal);
        using var timeUp = new CancellationTokenSource();
        var deadline = context.CreateTimer(suppliers.ConfirmBy.UtcDateTime, timeUp.Token);
        while (pending.Count > 0)
        {
            // A completion of an earlier sweep's task may arrive too: only this sweep's tasks count.
            var completed = context.WaitForExternalEvent<TaskCompletedEvent>(RequestEvents.TaskCompleted(TaskKind.SupplierConfirmation));
            if (await Task.WhenAny(completed, deadline) == deadline)
            {
                return;
            }

            pending.Remove(completed.Result.TaskId);
        }

        // Cancel, not CancelAsync: an orchestrator may await only durable tasks, and the timer's cancellation is one.
#pragma warning disable CA1849
        timeUp.Cancel();
#pragma warning restore CA1849
    }
}

/// <summary>Writes the certificate of a finished sweep.</summary>
public sealed record CertificateInput(string StudyId, string SweepId, DateTimeOffset StartedAt, int HistoriesPurged, DateTimeOffset At, IReadOnlyList<SweepSupplierTask> SuppliersTold);
