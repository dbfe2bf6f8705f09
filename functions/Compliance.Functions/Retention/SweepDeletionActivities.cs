using Compliance.Deletion;
using Compliance.Requests;
using Compliance.Retention;
using Compliance.Studies;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;

namespace Compliance.Functions.Retention;

/// <summary>A sweep's deletions: a batch of the inventory's blobs at a time, then the finished workflow histories. Deleting what is gone counts as done.</summary>
public sealed class SweepDeletionActivities(
    ArtifactStore artifacts,
    RequestStore requests,
    RetentionInventoryBuilder inventories,
    CertificateStore certificates,
    BlobEraser eraser,
    IOptions<RetentionOptions> options)
{
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
}
