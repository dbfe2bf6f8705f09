using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;

namespace Compliance.Deletion;

/// <summary>
/// Deletes a blob with every snapshot and every previous version it has, and says what it deleted. Safe to run again:
/// what is already gone (a 404) counts as done and is not reported a second time.
/// </summary>
public sealed class BlobEraser(BlobServiceClient blobs, ILogger<BlobEraser> logger)
{
    /// <summary>
    /// Deletes <paramref name="blobName"/> in <paramref name="container"/>, its snapshots and its versions.
    /// <paramref name="sha256"/> is the recorded hash of the current content, if known, for the certificate.
    /// </summary>
    public async Task<IReadOnlyList<DeletedItem>> DeleteEverythingAsync(string container, string blobName, string? sha256, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(container);
        ArgumentException.ThrowIfNullOrEmpty(blobName);
        var client = blobs.GetBlobContainerClient(container).GetBlobClient(blobName);
        var deleted = new List<DeletedItem>();

        var before = await ListAsync(container, blobName, cancellationToken);
        foreach (var snapshot in before.Where(i => i.Snapshot is not null))
        {
            if (await client.WithSnapshot(snapshot.Snapshot).DeleteIfExistsAsync(cancellationToken: cancellationToken))
            {
                deleted.Add(Item(container, snapshot, sha256: null));
            }
        }

        // With versioning on, deleting the blob does not remove its content: the current version becomes a previous
        // version, deleted (and reported) below with the others. Without versioning the delete is what removes it.
        var current = before.FirstOrDefault(i => i.Snapshot is null && (i.VersionId is null || i.IsLatestVersion == true));
        var removedBase = (await client.DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: cancellationToken)).Value;
        if (removedBase && current is { VersionId: null })
        {
            deleted.Add(Item(container, current, sha256));
        }

        // Listed again, not taken from the first list: the delete above just made the current version a previous one.
        foreach (var version in (await ListAsync(container, blobName, cancellationToken)).Where(i => i.Snapshot is null && i.VersionId is not null))
        {
            if (version.IsLatestVersion == true)
            {
                // Written again since the delete above (a current version cannot be deleted by its id). Failing leaves the
                // caller's index in place, so a retry finds the blob and deletes the new content too.
                throw new InvalidOperationException($"Blob {container}/{blobName} was written again while it was being deleted.");
            }

            if (await client.WithVersion(version.VersionId).DeleteIfExistsAsync(cancellationToken: cancellationToken))
            {
                deleted.Add(Item(container, version, version.VersionId == current?.VersionId ? sha256 : null));
            }
        }

        logger.LogInformation("Deleted {Count} items of blob {Container}/{BlobName}", deleted.Count, container, blobName);
        return deleted;
    }

    /// <summary>
    /// Deletes a blob whose snapshots and versions are already known (a retention inventory listed them): the blob with its
    /// snapshots in one call, then each previous version by its id. One request for a blob that has no versions, where
    /// <see cref="DeleteEverythingAsync"/> lists before and after. What is already gone counts as done. Returns how many of
    /// <paramref name="versionIds"/> and the blob itself were deleted by this call.
    /// </summary>
    public async Task<int> DeleteKnownAsync(string container, string blobName, IEnumerable<string> versionIds, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(container);
        ArgumentException.ThrowIfNullOrEmpty(blobName);
        ArgumentNullException.ThrowIfNull(versionIds);
        var client = blobs.GetBlobContainerClient(container).GetBlobClient(blobName);
        var deleted = (await client.DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: cancellationToken)).Value ? 1 : 0;
        foreach (var versionId in versionIds)
        {
            // Deleting the blob made its current version a previous one, deletable by its id like the others.
            deleted += (await client.WithVersion(versionId).DeleteIfExistsAsync(cancellationToken: cancellationToken)).Value ? 1 : 0;
        }

        return deleted;
    }

    /// <summary>
    /// Deletes every blob whose name starts with <paramref name="prefix"/> (which must end with <c>/</c>, so a folder and
    /// never a name that merely starts the same), each with its snapshots and versions.
    /// </summary>
    public async Task<IReadOnlyList<DeletedItem>> DeleteFolderAsync(string container, string prefix, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(container);
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        if (!prefix.EndsWith('/'))
        {
            throw new ArgumentException("A folder prefix ends with '/'.", nameof(prefix));
        }

        var names = new SortedSet<string>(StringComparer.Ordinal);
        await foreach (var item in blobs.GetBlobContainerClient(container).GetBlobsAsync(new GetBlobsOptions { Prefix = prefix, States = BlobStates.Snapshots | BlobStates.Version }, cancellationToken))
        {
            names.Add(item.Name);
        }

        var deleted = new List<DeletedItem>();
        foreach (var name in names)
        {
            deleted.AddRange(await DeleteEverythingAsync(container, name, sha256: null, cancellationToken));
        }

        return deleted;
    }

    /// <summary>The blob, its snapshots and versions: listed by prefix, then only the exact name, so a longer name that starts the same is never touched.</summary>
    private async Task<IReadOnlyList<BlobItem>> ListAsync(string container, string blobName, CancellationToken cancellationToken)
    {
        var items = new List<BlobItem>();
        var options = new GetBlobsOptions { Prefix = blobName, States = BlobStates.Snapshots | BlobStates.Version };
        await foreach (var item in blobs.GetBlobContainerClient(container).GetBlobsAsync(options, cancellationToken))
        {
            if (string.Equals(item.Name, blobName, StringComparison.Ordinal))
            {
                items.Add(item);
            }
        }

        return items;
    }

    private static DeletedItem Item(string container, BlobItem item, string? sha256) =>
        new(container, item.Name, item.VersionId, item.Snapshot, item.Properties.ContentLength ?? 0, sha256);
}
