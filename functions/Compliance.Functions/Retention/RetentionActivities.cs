using System.Globalization;
using Compliance.Audit;
using Compliance.Retention;
using Compliance.Studies;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Compliance.Functions.Retention;

/// <summary>The start of a retention sweep: whether it is due, its inventory (taken once), how many batches run at once.</summary>
public sealed class RetentionActivities(
    StudyPolicies policies,
    RetentionInventoryBuilder inventories,
    CertificateStore certificates,
    AuditLog audit,
    IOptions<RetentionOptions> options,
    ILogger<RetentionActivities> logger)
{
    /// <summary>Whether the study is due, and the sweep id (which is also the certificate id).</summary>
    [Function(nameof(PlanSweep))]
    public async Task<SweepPlan> PlanSweep([ActivityTrigger] SweepStepInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var sweepId = string.Create(CultureInfo.InvariantCulture, $"DC-{input.StudyId}-{input.At.UtcDateTime:yyyyMMddHHmmssfff}");
        if (await policies.FindAsync(input.StudyId, cancellationToken) is not { } found)
        {
            return new SweepPlan(false, sweepId, null);
        }

        var date = RetentionRule.DeletionDate(found.Study, found.Policy);
        return new SweepPlan(RetentionRule.IsDue(found.Study, found.Policy, UkTime.DateOf(input.At)), sweepId, date);
    }

    /// <summary>Takes the inventory and stores it, or reads back the one a previous run of this sweep stored.</summary>
    [Function(nameof(TakeInventory))]
    public async Task<SweepInventorySummary> TakeInventory([ActivityTrigger] SweepStepInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var inventory = await certificates.ReadInventoryAsync(input.SweepId, cancellationToken)
            ?? await certificates.KeepInventoryAsync(await inventories.BuildAsync(input.StudyId, input.SweepId, input.At, options.Value.BatchSize, cancellationToken), cancellationToken);
        var summary = new SweepInventorySummary(
            inventory.Items.Count,
            inventory.Items.Select(i => i.BlobKey).Distinct(StringComparer.Ordinal).Count(),
            inventory.Batches.Count,
            inventory.Held.Count,
            inventory.Participants.Count);
        await audit.AppendAsync(
            RetentionAuditEvents.Sweep(input.StudyId, AuditActions.RetentionSweepStarted, $"{input.SweepId}:started", ("sweepId", input.SweepId), ("items", Number(summary.Items)), ("heldBlobs", Number(summary.HeldBlobs))),
            cancellationToken);
        logger.LogInformation("Retention sweep {SweepId}: {Items} items in {Blobs} blobs, {Batches} batches, {Held} blobs held", input.SweepId, summary.Items, summary.Blobs, summary.Batches, summary.HeldBlobs);
        return summary;
    }

    /// <summary>How many batches the sweep deletes at once (from configuration, read here so the workflow stays deterministic).</summary>
    [Function(nameof(SweepParallelism))]
    public int SweepParallelism([ActivityTrigger] SweepStepInput input) => options.Value.MaxParallelBatches;

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
