using System.Globalization;
using Compliance.Audit;
using Compliance.Deletion;
using Compliance.Requests;
using Compliance.Retention;
using Compliance.Studies;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Compliance.Functions.Retention;

/// <summary>The steps of a retention sweep. Each is safe to run again: the inventory is taken once, deleting what is gone counts as done.</summary>
public sealed class RetentionActivities(
    StudyPolicies policies,
    StudyStore studies,
    ArtifactStore artifacts,
    RequestStore requests,
    RetentionInventoryBuilder inventories,
    CertificateStore certificates,
    HoldStore holdStore,
    BlobEraser eraser,
    AuditLog audit,
    Compliance.Tasks.TaskStore tasks,
    IOptions<RetentionOptions> options,
    IOptions<StorageProtectionOptions> protection,
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
            Event(input.StudyId, AuditActions.RetentionSweepStarted, $"{input.SweepId}:started", ("sweepId", input.SweepId), ("items", Number(summary.Items)), ("heldBlobs", Number(summary.HeldBlobs))),
            cancellationToken);
        logger.LogInformation("Retention sweep {SweepId}: {Items} items in {Blobs} blobs, {Batches} batches, {Held} blobs held", input.SweepId, summary.Items, summary.Blobs, summary.Batches, summary.HeldBlobs);
        return summary;
    }

    /// <summary>How many batches the sweep deletes at once (from configuration, read here so the workflow stays deterministic).</summary>
    [Function(nameof(SweepParallelism))]
    public int SweepParallelism([ActivityTrigger] SweepStepInput input) => options.Value.MaxParallelBatches;

    /// <summary>Deletes one batch of the inventory's blobs, each with its snapshots and versions, then their index rows.</summary>
    [Function(nameof(DeleteBatch))]
    public async Task<int> DeleteBatch([ActivityTrigger] SweepBatchInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var inventory = await certificates.ReadInventoryAsync(input.SweepId, cancellationToken) ?? throw new InvalidOperationException($"Sweep {input.SweepId} has no inventory.");
        var keys = inventory.Batches[input.Batch].ToHashSet(StringComparer.Ordinal);
        var indexed = (await artifacts.ListByStudyAsync(input.StudyId, cancellationToken)).Where(a => keys.Contains(a.Container + "/" + a.BlobName)).ToDictionary(a => a.Container + "/" + a.BlobName, StringComparer.Ordinal);
        var heldNow = await inventories.HeldNowAsync(input.StudyId, keys, cancellationToken);
        var deleted = 0;
        await Parallel.ForEachAsync(
            inventory.Items.Where(i => keys.Contains(i.BlobKey) && !heldNow.ContainsKey(i.BlobKey)).GroupBy(i => i.BlobKey),
            new ParallelOptions { MaxDegreeOfParallelism = options.Value.MaxParallelDeletesPerBatch, CancellationToken = cancellationToken },
            async (blob, ct) =>
            {
                // The inventory knows the blob's versions and snapshots: one delete takes the blob and its snapshots, then
                // each version by id. What was written after the inventory is the next sweep's.
                var first = blob.First();
                var removed = await eraser.DeleteKnownAsync(first.Container, first.BlobName, blob.Where(i => i.VersionId is not null).Select(i => i.VersionId!), ct);
                Interlocked.Add(ref deleted, removed);
                if (indexed.TryGetValue(blob.Key, out var artifact))
                {
                    await artifacts.DeleteIndexAsync(artifact, ct);
                }
            });
        return deleted;
    }

    /// <summary>Erases the contact details of the study's participants that no hold keeps; their pseudonymous ids stay.</summary>
    [Function(nameof(EraseStudyContacts))]
    public async Task EraseStudyContacts([ActivityTrigger] SweepStepInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var inventory = await certificates.ReadInventoryAsync(input.SweepId, cancellationToken) ?? throw new InvalidOperationException($"Sweep {input.SweepId} has no inventory.");
        foreach (var participantId in inventory.Participants)
        {
            await studies.EraseContactAsync(input.StudyId, participantId, input.At, cancellationToken);
        }

        // The requesters' addresses, names and words on the study's closed requests go too (a stranger's included); what a
        // hold covers now (a held participant's, or everything under a hold on the whole study) stays, and an open request
        // keeps what it needs until it is answered.
        var active = await holdStore.ListActiveAsync(input.StudyId, cancellationToken);
        var erased = 0;
        foreach (var request in await requests.ListAsync(null, input.StudyId, cancellationToken))
        {
            if (RequestStatus.Closed.Contains(request.Status) && !active.Any(h => h.Covers(input.StudyId, null, request.ParticipantId is { } p ? [p] : [])))
            {
                await requests.EraseRequesterAsync(request.RequestId, cancellationToken);
                erased++;
            }
        }

        logger.LogInformation("Retention sweep {SweepId}: contact details of {Participants} participants and requester details of {Requests} requests erased", input.SweepId, inventory.Participants.Count, erased);
    }

    /// <summary>Purges the finished workflow histories of the study's requests from the task hub.</summary>
    [Function(nameof(PurgeStudyHistories))]
    public async Task<int> PurgeStudyHistories([ActivityTrigger] SweepStepInput input, [DurableClient] DurableTaskClient durable, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(durable);
        var purged = 0;
        foreach (var request in await requests.ListAsync(null, input.StudyId, cancellationToken))
        {
            if (await durable.GetInstanceAsync(request.RequestId, getInputsAndOutputs: false, cancellationToken) is { IsCompleted: true })
            {
                purged += (await durable.PurgeInstanceAsync(request.RequestId, null, cancellationToken)).PurgedInstanceCount;
            }
        }

        return purged;
    }

    /// <summary>Checks that nothing planned is still listable, then writes the certificate (once) and audits the sweep.</summary>
    [Function(nameof(IssueCertificate))]
    public async Task<RetentionSweepResult> IssueCertificate([ActivityTrigger] CertificateInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var inventory = await certificates.ReadInventoryAsync(input.SweepId, cancellationToken) ?? throw new InvalidOperationException($"Sweep {input.SweepId} has no inventory.");
        var certificate = await certificates.FindAsync(input.SweepId, cancellationToken);
        if (certificate is null)
        {
            var found = await policies.GetAsync(input.StudyId, cancellationToken);
            var present = await inventories.StillPresentAsync(inventory.Items, cancellationToken);
            var gone = inventory.Items.Except(present).ToList();

            // What a hold placed during the sweep kept is held back, not a failure; anything else still there is.
            var heldLate = await inventories.HeldNowAsync(input.StudyId, present.Select(i => i.BlobKey).Distinct(StringComparer.Ordinal), cancellationToken);
            var remaining = present.Where(i => !heldLate.ContainsKey(i.BlobKey)).ToList();
            var heldBlobs = inventory.Held.Select(h => h.HoldIds).Concat(heldLate.Values);
            var heldBack = new List<HeldBack>();
            foreach (var group in heldBlobs.SelectMany(ids => ids).GroupBy(id => id, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var hold = await holdStore.FindAsync(group.Key, cancellationToken);
                heldBack.Add(new HeldBack(group.Key, hold?.Kind ?? "unknown", hold?.Scope ?? "unknown", group.Count()));
            }

            certificate = new DeletionCertificate
            {
                CertificateId = input.SweepId,
                Authority = new DeletionAuthority("retention", input.StudyId, RetentionRule.Describe(found.Policy), found.Study.PublishedOn, RetentionRule.DeletionDate(found.Study, found.Policy), null),
                StartedAt = input.StartedAt,
                CompletedAt = input.At,
                Method = DeletionCertificate.BlobDeletionMethod,
                Items = gone,
                ContactDetailsErased = inventory.Participants,
                HeldBack = heldBack,
                ParticipantsHeld = inventory.HeldParticipants,
                Verification = new DeletionVerification(inventory.Items.Count - present.Count + remaining.Count, remaining.Count, remaining.Count == 0 ? "passed" : "failed"),
                HistoriesPurged = input.HistoriesPurged,
                SoftDeleteRetentionDays = protection.Value.BlobSoftDeleteRetentionDays,
                RecipientsTold = await RecipientsAsync(input.SuppliersTold, cancellationToken),
                SoftwareVersion = DeletionCertificate.CurrentSoftwareVersion,
            };
            await certificates.TryWriteAsync(certificate, cancellationToken);
        }

        await audit.AppendAsync(
            Event(input.StudyId, AuditActions.RetentionSwept, $"{input.SweepId}:swept", ("sweepId", input.SweepId), ("deleted", Number(certificate.Items.Count)), ("stillPresent", Number(certificate.Verification.StillPresent)), ("heldBlobs", Number(inventory.Held.Count))),
            cancellationToken);
        await audit.AppendAsync(Event(input.StudyId, AuditActions.CertificateIssued, $"{input.SweepId}:certificate", ("certificateId", certificate.CertificateId)), cancellationToken);
        if (certificate.Verification.StillPresent > 0)
        {
            logger.LogError("Retention sweep {SweepId}: {Count} items are still present after deletion", input.SweepId, certificate.Verification.StillPresent);
        }

        return new RetentionSweepResult(input.StudyId, "swept", certificate.CertificateId, certificate.Items.Count, inventory.Held.Count, certificate.Verification.StillPresent);
    }

    private async Task<IReadOnlyList<string>> RecipientsAsync(IReadOnlyList<SweepSupplierTask>? told, CancellationToken cancellationToken)
    {
        // A sweep scheduled its certificate before suppliers were told (an older version) has none.
        var lines = new List<string>();
        foreach (var supplier in told ?? [])
        {
            var task = await tasks.FindAsync(supplier.TaskId, cancellationToken);
            lines.Add(DeletionCertificate.RecipientLine(supplier.SupplierId, task?.CompletedAt));
        }

        return lines;
    }

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    internal static AuditEvent Event(string studyId, string action, string key, params (string Key, string Value)[] details) =>
        new(AuditActors.System, action) { StudyId = studyId, Details = details.ToDictionary(d => d.Key, d => d.Value, StringComparer.Ordinal), IdempotencyKey = key };
}
