using Compliance.Functions.Requests;
using Compliance.Retention;
using Compliance.Tasks;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace Compliance.Functions.Retention;

/// <summary>
/// A study's retention sweep. Its instance id comes from the study, so two sweeps of one study never run at once. It takes
/// and stores an inventory first (a restarted sweep carries out the same plan), leaves out what holds cover, deletes in
/// parallel batches of bounded size and number, checks nothing planned is still listable, erases the participants' contact
/// details, tells the suppliers that transcribed its sessions to delete their copies and waits for their confirmations
/// (bounded by the policy), purges the study's finished workflow histories, and writes a deletion certificate. Counts and
/// ids only. Its steps are versioned (<see cref="WorkflowVersion"/>): an instance keeps the steps of the version it started on.
/// </summary>
public static class RetentionSweepOrchestration
{
    /// <summary>The start of every sweep's instance id.</summary>
    public const string InstanceIdPrefix = Compliance.Tasks.WorkflowRef.RetentionSweepPrefix;

    /// <summary>The phase of a sweep that waits for its suppliers' confirmations of deletion.</summary>
    public const string AwaitingSuppliers = "awaiting-supplier-confirmations";

    /// <summary>The instance id of <paramref name="studyId"/>'s sweep.</summary>
    public static string InstanceIdFor(string studyId) => Compliance.Tasks.WorkflowRef.RetentionSweep(studyId).Id;

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
            return new RetentionSweepResult(studyId, SweepStartReason.NotDue, null, 0, 0, 0);
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

            running.Add(context.CallActivityAsync<int>(nameof(SweepDeletionActivities.DeleteBatch), new SweepBatchInput(studyId, plan.SweepId, batch), retry));
        }

        await Task.WhenAll(running);
        context.SetCustomStatus(new SweepStatus("erasing-contact-details", inventory.Batches, inventory.Batches));
        await context.CallActivityAsync(nameof(StudyContactActivities.EraseStudyContacts), step, retry);

        // Version 1 purged before telling the suppliers; its instances replay on that order. From version 2 the purge is
        // the last step before the certificate, so it also takes the study's workflows that ended during the wait.
        var purgesFirst = context.CompareVersionTo(WorkflowVersion.SweepPurgesBeforeCertifying) < 0;
        var purged = purgesFirst ? await PurgeHistoriesAsync(context, step, inventory) : 0;

        // Told now, so the time to confirm runs from the notice, not from the start of a long sweep.
        var suppliers = await context.CallActivityAsync<SweepSupplierNotice>(nameof(SweepSupplierNotices.NotifySweepSuppliers), step with { At = context.CurrentUtcDateTime }, retry);
        if (suppliers.Told.Count > 0)
        {
            context.SetCustomStatus(new SweepStatus(AwaitingSuppliers, inventory.Batches, inventory.Batches));
            await context.CameBeforeAsync(AllConfirmedAsync(context, suppliers), suppliers.ConfirmBy);
        }

        if (!purgesFirst)
        {
            purged = await PurgeHistoriesAsync(context, step, inventory);
        }

        context.SetCustomStatus(new SweepStatus("certifying", inventory.Batches, inventory.Batches));
        return await context.CallActivityAsync<RetentionSweepResult>(
            nameof(SweepCertificateActivities.IssueCertificate),
            new CertificateInput(studyId, plan.SweepId, step.At, purged, context.CurrentUtcDateTime, suppliers.Told),
            retry);
    }

    private static Task<int> PurgeHistoriesAsync(TaskOrchestrationContext context, SweepStepInput step, SweepInventorySummary inventory)
    {
        context.SetCustomStatus(new SweepStatus("purging-histories", inventory.Batches, inventory.Batches));
        return context.CallActivityAsync<int>(nameof(SweepDeletionActivities.PurgeStudyHistories), step, ActivityRetry.Default);
    }

    /// <summary>
    /// Every told supplier's confirmation: each completion of one of the sweep's tasks raises an event here (a completion of
    /// an earlier sweep's task may arrive too, and does not count). Waited for until the policy's time runs out.
    /// </summary>
    private static async Task AllConfirmedAsync(TaskOrchestrationContext context, SweepSupplierNotice suppliers)
    {
        var pending = suppliers.Told.Select(t => t.TaskId).ToHashSet(StringComparer.Ordinal);
        while (pending.Count > 0)
        {
            pending.Remove((await context.WaitForExternalEvent<TaskCompletedEvent>(RequestEvents.TaskCompleted(TaskKind.SupplierConfirmation))).TaskId);
        }
    }
}

/// <summary>Writes the certificate of a finished sweep.</summary>
public sealed record CertificateInput(string StudyId, string SweepId, DateTimeOffset StartedAt, int HistoriesPurged, DateTimeOffset At, IReadOnlyList<SweepSupplierTask> SuppliersTold);
