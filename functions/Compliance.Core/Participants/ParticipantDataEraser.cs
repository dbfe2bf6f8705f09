using Compliance.Deletion;
using Compliance.Studies;
using Microsoft.Extensions.Logging;

namespace Compliance.Participants;

/// <summary>
/// Research material of the participant's that was not deleted because it also holds other participants (a focus group's
/// shared recording, transcript or notes): a researcher must redact the participant's contributions by hand.
/// </summary>
public sealed record KeptItem(string ArtifactId, string SessionId, string Kind);

/// <summary>
/// What a withdrawal deleted (each blob, version and snapshot once), what it kept for redaction, and what it kept because a
/// legal or safeguarding hold covers it; pseudonymous ids only.
/// </summary>
public sealed record ErasureResult(IReadOnlyList<DeletedItem> Deleted, IReadOnlyList<KeptItem> KeptForRedaction, IReadOnlyList<KeptItem> KeptForHold);

/// <summary>
/// Removes a withdrawing participant's research material: every artifact that concerns only them (recordings, transcripts,
/// notes, anonymised transcripts) with every version and snapshot of its blob, then its index rows. Artifacts that also
/// concern other participants hold their voices and words too, so they are kept and reported for redaction (docs/participants.md).
/// </summary>
public sealed class ParticipantDataEraser(ArtifactStore artifacts, BlobEraser blobEraser, Retention.HoldStore holds, ILogger<ParticipantDataEraser> logger)
{
    /// <summary>
    /// Deletes the packages and redaction logs of the participant's earlier access requests (<paramref name="accessRequestIds"/>):
    /// an anonymised transcript of theirs sent to them is theirs to withdraw too. A hold on the participant, the study or a
    /// session of theirs keeps them (<see cref="Retention.Hold.KeepingAccessExports"/>): held material stays in the index.
    /// </summary>
    public async Task<IReadOnlyList<DeletedItem>> DeleteAccessExportsAsync(string studyId, string participantId, IEnumerable<string> accessRequestIds, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(studyId);
        ArgumentException.ThrowIfNullOrEmpty(participantId);
        ArgumentNullException.ThrowIfNull(accessRequestIds);
        var sessions = (await artifacts.ListByParticipantAsync(studyId, participantId, cancellationToken)).Select(a => a.SessionId);
        if (Retention.Hold.KeepingAccessExports(await holds.ListActiveAsync(studyId, cancellationToken), studyId, participantId, sessions).Count > 0)
        {
            return [];
        }

        var deleted = new List<DeletedItem>();
        foreach (var requestId in accessRequestIds)
        {
            foreach (var (container, prefix) in Access.AccessExportBuilder.FoldersOf(studyId, requestId))
            {
                deleted.AddRange(await blobEraser.DeleteFolderAsync(container, prefix, cancellationToken));
            }
        }

        return deleted;
    }

    /// <summary>
    /// Deletes the participant's own material. Runs again safely after a crash part way: the index rows of an artifact go only
    /// after its blob is gone, so an artifact half done is found again and finished, and nothing is reported as deleted twice.
    /// Kept items are reported on every run, so a caller that crashed before acting on them still learns of them.
    /// </summary>
    public async Task<ErasureResult> DeleteResearchDataAsync(string studyId, string participantId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(studyId);
        ArgumentException.ThrowIfNullOrEmpty(participantId);
        var deleted = new List<DeletedItem>();
        var kept = new List<KeptItem>();
        var held = new List<KeptItem>();
        var active = await holds.ListActiveAsync(studyId, cancellationToken);

        foreach (var artifact in await artifacts.ListByParticipantAsync(studyId, participantId, cancellationToken))
        {
            // A hold keeps what it covers from every deletion, a request's included.
            if (active.Any(h => h.Covers(studyId, artifact.SessionId, artifact.ParticipantIds)))
            {
                held.Add(new KeptItem(artifact.ArtifactId, artifact.SessionId, artifact.Kind));
                continue;
            }

            if (artifact.ParticipantIds.Any(p => !string.Equals(p, participantId, StringComparison.Ordinal)))
            {
                kept.Add(new KeptItem(artifact.ArtifactId, artifact.SessionId, artifact.Kind));
                continue;
            }

            // A row pointing outside the study's own names would be a corrupt index; deleting by it could remove someone else's blob.
            if (!artifact.BlobName.StartsWith($"{studyId}/", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"Artifact {artifact.ArtifactId} of study {studyId} names a blob outside the study.");
            }

            var container = string.IsNullOrEmpty(artifact.Container) ? ArtifactContainers.ContainerOf(artifact.Kind) : artifact.Container;
            deleted.AddRange(await blobEraser.DeleteEverythingAsync(container, artifact.BlobName, artifact.Sha256, cancellationToken));
            await artifacts.DeleteIndexAsync(artifact, cancellationToken);
        }

        logger.LogInformation(
            "Research data of participant {ParticipantId} in study {StudyId}: {DeletedCount} items deleted, {KeptCount} shared artifacts kept for redaction, {HeldCount} kept by holds",
            participantId,
            studyId,
            deleted.Count,
            kept.Count,
            held.Count);
        return new ErasureResult(deleted, kept, held);
    }
}
