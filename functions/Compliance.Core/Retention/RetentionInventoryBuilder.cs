using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Compliance.Mail.Intake;
using Compliance.Requests;
using Compliance.Storage;
using Compliance.Studies;

namespace Compliance.Retention;

/// <summary>
/// Takes a study's retention inventory: every blob of the study (with every version and snapshot) in the research
/// containers, its access exports and their redaction logs, the mail its requests sent and received, and its participants'
/// contact details; then sets aside what an active hold covers.
/// </summary>
public sealed class RetentionInventoryBuilder(BlobServiceClient blobs, ArtifactStore artifacts, StudyStore studies, RequestStore requests, HoldStore holds, InboundMailStore inbound)
{
    /// <summary>The containers whose blobs of a study are named <c>{studyId}/…</c>.</summary>
    public static IReadOnlyList<string> StudyContainers { get; } =
    [
        StorageLayout.Containers.Recordings,
        StorageLayout.Containers.Transcripts,
        StorageLayout.Containers.Notes,
        StorageLayout.Containers.AnonymisedTranscripts,
        StorageLayout.Containers.Exports,
        StorageLayout.Containers.RedactionLogs,
    ];

    public async Task<RetentionInventory> BuildAsync(string studyId, string sweepId, DateTimeOffset takenAt, int batchSize, CancellationToken cancellationToken = default)
    {
        var active = await holds.ListActiveAsync(studyId, cancellationToken);
        var index = (await artifacts.ListByStudyAsync(studyId, cancellationToken)).ToDictionary(a => a.Container + "/" + a.BlobName, StringComparer.Ordinal);

        // Every blob of the study, with whose material it is: from the artifact index, or (for exports, logs and mail) from its name.
        var studyRequests = await requests.ListAsync(null, studyId, cancellationToken);
        var requesters = studyRequests.Where(r => r.ParticipantId is not null).ToDictionary(r => r.RequestId, r => r.ParticipantId!, StringComparer.Ordinal);
        var found = new List<(InventoryItem Item, string? SessionId, IReadOnlyList<string> ParticipantIds, IReadOnlyList<string>? Holds)>();
        foreach (var container in StudyContainers)
        {
            // The trailing slash keeps a study whose id starts the same (T1 and T10) out of the listing.
            await foreach (var item in ListAsync(container, studyId + "/", cancellationToken))
            {
                var artifact = index.GetValueOrDefault(container + "/" + item.Name);
                if (artifact is null && container is StorageLayout.Containers.Exports or StorageLayout.Containers.RedactionLogs)
                {
                    // An access request's package and log ({studyId}/{requestId}/…) are its participant's, and hold their sessions' words.
                    var exportHolds = requesters.TryGetValue(SecondSegment(item.Name) ?? string.Empty, out var participantId)
                        ? Hold.KeepingAccessExports(active, studyId, participantId, index.Values.Where(a => a.ParticipantIds.Contains(participantId, StringComparer.Ordinal)).Select(a => a.SessionId))
                        : active.Where(h => h.Covers(studyId, null, [])).Select(h => h.HoldId).ToList();
                    found.Add((ToItem(container, item, null), null, [], exportHolds));
                    continue;
                }

                found.Add((ToItem(container, item, artifact), artifact?.SessionId ?? SecondSegment(item.Name), artifact?.ParticipantIds ?? [], null));
            }
        }

        foreach (var request in studyRequests)
        {
            IReadOnlyList<string> whose = request.ParticipantId is { } p ? [p] : [];
            await foreach (var item in ListAsync(StorageLayout.Containers.MailOutbox, $"requests/{request.RequestId}/", cancellationToken))
            {
                found.Add((ToItem(StorageLayout.Containers.MailOutbox, item, null), null, whose, null));
            }
        }

        foreach (var key in await inbound.ListTaggedAsync(studyId, cancellationToken))
        {
            await foreach (var item in ListAsync(StorageLayout.Containers.MailInbound, InboundMailStore.BlobNameFor(key), cancellationToken))
            {
                found.Add((ToItem(StorageLayout.Containers.MailInbound, item, null), null, [], null));
            }
        }

        var items = new List<InventoryItem>();
        var held = new Dictionary<string, HeldItem>(StringComparer.Ordinal);
        foreach (var (item, sessionId, participantIds, holdsKnown) in found)
        {
            var covering = holdsKnown ?? active.Where(h => h.Covers(studyId, sessionId, participantIds)).Select(h => h.HoldId).ToList();
            if (covering.Count > 0)
            {
                held.TryAdd(item.BlobKey, new HeldItem(item.Container, item.BlobName, covering));
            }
            else
            {
                items.Add(item);
            }
        }

        var participants = (await studies.ListParticipantsAsync(studyId, cancellationToken)).Select(p => p.ParticipantId).Order(StringComparer.Ordinal).ToList();
        var heldParticipants = participants.Where(p => active.Any(h => h.Covers(studyId, null, [p]))).ToList();
        return new RetentionInventory(
            sweepId,
            studyId,
            takenAt,
            items,
            held.Values.OrderBy(h => h.Container + "/" + h.BlobName, StringComparer.Ordinal).ToList(),
            participants.Except(heldParticipants, StringComparer.Ordinal).ToList(),
            heldParticipants,
            RetentionInventory.BatchesOf(items, batchSize));
    }

    /// <summary>
    /// The inventory of one withdrawing participant's own material (artifacts that concern only them), with every version
    /// and snapshot, taken before a withdrawal deletes it so that its certificate lists what was there; what a hold covers
    /// is set aside as held. Shared material (a focus group's) is not in it: it stays for redaction. The packages and redaction
    /// logs of the participant's earlier access requests (<paramref name="accessRequestIds"/>) are.
    /// </summary>
    public async Task<RetentionInventory> BuildForParticipantAsync(string studyId, string participantId, IEnumerable<string> accessRequestIds, string sweepId, DateTimeOffset takenAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(accessRequestIds);
        var active = await holds.ListActiveAsync(studyId, cancellationToken);
        var items = new List<InventoryItem>();
        var held = new List<HeldItem>();
        foreach (var artifact in await artifacts.ListByParticipantAsync(studyId, participantId, cancellationToken))
        {
            if (artifact.ParticipantIds.Any(p => p != participantId))
            {
                continue;
            }

            var container = string.IsNullOrEmpty(artifact.Container) ? ArtifactContainers.ContainerOf(artifact.Kind) : artifact.Container;
            var covering = active.Where(h => h.Covers(studyId, artifact.SessionId, artifact.ParticipantIds)).Select(h => h.HoldId).ToList();
            if (covering.Count > 0)
            {
                held.Add(new HeldItem(container, artifact.BlobName, covering));
                continue;
            }

            await foreach (var item in ListAsync(container, artifact.BlobName, cancellationToken))
            {
                if (item.Name == artifact.BlobName)
                {
                    items.Add(ToItem(container, item, artifact));
                }
            }
        }

        // The packages of their earlier access requests, and the redaction logs beside them.
        var participantHolds = Hold.KeepingAccessExports(active, studyId, participantId, (await artifacts.ListByParticipantAsync(studyId, participantId, cancellationToken)).Select(a => a.SessionId));
        foreach (var requestId in accessRequestIds)
        {
            foreach (var (container, prefix) in Access.AccessExportBuilder.FoldersOf(studyId, requestId))
            {
                await foreach (var item in ListAsync(container, prefix, cancellationToken))
                {
                    if (participantHolds.Count > 0)
                    {
                        if (!held.Any(h => h.Container == container && h.BlobName == item.Name))
                        {
                            held.Add(new HeldItem(container, item.Name, participantHolds));
                        }
                    }
                    else
                    {
                        items.Add(ToItem(container, item, null));
                    }
                }
            }
        }

        return new RetentionInventory(sweepId, studyId, takenAt, items, held, [], [], []);
    }

    /// <summary>
    /// Which of <paramref name="blobKeys"/> (<c>{container}/{name}</c>) an active hold covers now, with the holds: a hold
    /// placed after the inventory was taken still keeps what it covers.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> HeldNowAsync(string studyId, IEnumerable<string> blobKeys, CancellationToken cancellationToken = default)
    {
        var active = await holds.ListActiveAsync(studyId, cancellationToken);
        var held = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (active.Count == 0)
        {
            return held;
        }

        var index = (await artifacts.ListByStudyAsync(studyId, cancellationToken)).ToDictionary(a => a.Container + "/" + a.BlobName, StringComparer.Ordinal);
        foreach (var key in blobKeys)
        {
            var artifact = index.GetValueOrDefault(key);
            var name = key[(key.IndexOf('/', StringComparison.Ordinal) + 1)..];
            var covering = active.Where(h => h.Covers(studyId, artifact?.SessionId ?? SecondSegment(name), artifact?.ParticipantIds ?? [])).Select(h => h.HoldId).ToList();
            if (covering.Count > 0)
            {
                held[key] = covering;
            }
        }

        return held;
    }

    /// <summary>
    /// What is still listable of <paramref name="items"/>: after a sweep, nothing should be. One listing per study prefix
    /// (or per request's mail, or per message), not one per blob, so checking costs a page per 5,000 items.
    /// </summary>
    public async Task<IReadOnlyList<InventoryItem>> StillPresentAsync(IEnumerable<InventoryItem> items, CancellationToken cancellationToken = default)
    {
        var remaining = new List<InventoryItem>();
        foreach (var group in items.GroupBy(i => (i.Container, Prefix: ListingPrefix(i.Container, i.BlobName))))
        {
            var listed = new HashSet<(string, string?, string?)>();
            await foreach (var item in ListAsync(group.Key.Container, group.Key.Prefix, cancellationToken))
            {
                listed.Add((item.Name, item.VersionId, item.Snapshot));
            }

            remaining.AddRange(group.Where(i => listed.Contains((i.BlobName, i.VersionId, i.Snapshot))));
        }

        return remaining;
    }

    /// <summary>How many of <paramref name="participantIds"/> still have a name, an email address or a phone number on record.</summary>
    public async Task<int> ContactsLeftAsync(string studyId, IEnumerable<string> participantIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(participantIds);
        var left = 0;
        foreach (var participantId in participantIds)
        {
            left += await studies.FindParticipantAsync(studyId, participantId, cancellationToken) is { } p && (p.Email is not null || p.Name is not null || p.Phone is not null) ? 1 : 0;
        }

        return left;
    }

    /// <summary>The prefix an item is listed under when checking: its study's (<c>{studyId}/</c>), its request's mail, or its own name.</summary>
    private static string ListingPrefix(string container, string name)
    {
        var depth = container switch
        {
            StorageLayout.Containers.MailInbound => 0,
            StorageLayout.Containers.MailOutbox => 2,
            _ => 1,
        };
        var end = -1;
        for (var i = 0; i < depth; i++)
        {
            end = name.IndexOf('/', end + 1);
            if (end < 0)
            {
                return name;
            }
        }

        return depth == 0 ? name : name[..(end + 1)];
    }

    private Azure.AsyncPageable<BlobItem> ListAsync(string container, string prefix, CancellationToken cancellationToken) =>
        blobs.GetBlobContainerClient(container).GetBlobsAsync(
            new GetBlobsOptions { Prefix = prefix, States = BlobStates.Snapshots | BlobStates.Version },
            cancellationToken);

    private static InventoryItem ToItem(string container, BlobItem item, Artifact? artifact) => new(
        container,
        item.Name,
        item.VersionId,
        item.Snapshot,
        item.Properties.ContentLength ?? 0,
        artifact is not null && item.Snapshot is null && (item.VersionId is null || item.IsLatestVersion == true) ? artifact.Sha256 : null);

    /// <summary>The session id in <c>{studyId}/{sessionId}/…</c>, or null when the name has no such segment.</summary>
    private static string? SecondSegment(string name) => name.Split('/') is { Length: > 2 } parts ? parts[1] : null;
}
