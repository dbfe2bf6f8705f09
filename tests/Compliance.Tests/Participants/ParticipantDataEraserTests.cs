using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Blobs.Models;
using Compliance.Deletion;
using Compliance.Participants;
using Compliance.Storage;
using Compliance.Studies;
using Compliance.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Compliance.Tests.Participants;

/// <summary>
/// Withdrawal's deletion against Azurite: a participant's own material goes with its snapshots and index rows, shared
/// focus-group material stays and is reported for redaction, nobody else's blob is touched, and a second run is harmless.
/// Azurite keeps snapshots but no blob versions, so versions are exercised only on real Azure (docs/participants.md).
/// </summary>
public sealed class ParticipantDataEraserTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private ParticipantDataEraser Eraser => env.Host.Services.GetRequiredService<ParticipantDataEraser>();

    private ArtifactStore Artifacts => new(env.Tables, env.Blobs);

    [Fact]
    public async Task An_interview_participants_material_is_deleted_with_its_snapshots_and_index_rows()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var p1 = await StudyApi.RegisterParticipantAsync(env.Http, studyId);
        var session = await StudyApi.RegisterSessionAsync(env.Http, studyId, SessionKind.Interview, "2024-07-15", p1);
        var recording = await UploadAsync(studyId, session, ArtifactKind.Recording, "audio/mpeg", "recording of p1");
        var transcript = await UploadAsync(studyId, session, ArtifactKind.Transcript, "text/plain", "Interviewer: Hello.\nP1: Hello.\n");
        var notes = await UploadAsync(studyId, session, ArtifactKind.Notes, "text/plain", "notes on p1");
        var anonymised = await AddAnonymisedAsync(studyId, session, [p1], "Interviewer: Hello.\n[Participant]: Hello.\n");
        var recordingSnapshots = await TwoSnapshotsAsync(recording);
        var transcriptSnapshot = await SnapshotAsync(transcript);

        var result = await Eraser.DeleteResearchDataAsync(studyId, p1, Ct);

        result.KeptForRedaction.ShouldBeEmpty();
        result.Deleted.Select(d => (d.Container, d.BlobName, d.Snapshot)).ShouldBe(
            [
                (recording.Container, recording.BlobName, recordingSnapshots[0]),
                (recording.Container, recording.BlobName, recordingSnapshots[1]),
                (recording.Container, recording.BlobName, null),
                (transcript.Container, transcript.BlobName, transcriptSnapshot),
                (transcript.Container, transcript.BlobName, null),
                (notes.Container, notes.BlobName, null),
                (anonymised.Container, anonymised.BlobName, null),
            ],
            ignoreOrder: true);
        result.Deleted.ShouldAllBe(d => d.VersionId == null, "Azurite keeps no blob versions");
        var recordingItem = result.Deleted.Single(d => d.BlobName == recording.BlobName && d.Snapshot == null);
        recordingItem.Size.ShouldBe(recording.Size);
        recordingItem.Sha256.ShouldBe(recording.Sha256);
        result.Deleted.Where(d => d.Snapshot != null).ShouldAllBe(d => d.Sha256 == null && d.Size > 0);

        await ShouldHaveNoBlobsAsync(recording, transcript, notes, anonymised);
        (await Artifacts.ListByParticipantAsync(studyId, p1, Ct)).ShouldBeEmpty();
        (await Artifacts.ListByStudyAsync(studyId, Ct)).ShouldBeEmpty();
        (await ArtifactRowsAsync(studyId)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Material_a_hold_covers_is_kept_from_a_withdrawal_and_reported()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var p1 = await StudyApi.RegisterParticipantAsync(env.Http, studyId);
        var heldSession = await StudyApi.RegisterSessionAsync(env.Http, studyId, SessionKind.Interview, "2024-07-15", p1);
        var freeSession = await StudyApi.RegisterSessionAsync(env.Http, studyId, SessionKind.Interview, "2024-07-20", p1);
        var held = await UploadAsync(studyId, heldSession, ArtifactKind.Recording, "audio/mpeg", "held recording");
        var free = await UploadAsync(studyId, freeSession, ArtifactKind.Recording, "audio/mpeg", "free recording");
        await env.Host.Services.GetRequiredService<Compliance.Retention.HoldStore>().AddAsync(
            new Compliance.Retention.Hold
            {
                HoldId = Compliance.Retention.HoldStore.NewId(),
                StudyId = studyId,
                Kind = Compliance.Retention.HoldKind.Safeguarding,
                Scope = Compliance.Retention.HoldScope.Session,
                TargetId = heldSession,
                Reason = "Safeguarding review",
                ReviewOn = new DateOnly(2027, 1, 1),
                PlacedBy = "dpo-1",
                PlacedAt = DateTimeOffset.UtcNow,
            },
            Ct);

        var result = await Eraser.DeleteResearchDataAsync(studyId, p1, Ct);

        result.KeptForHold.ShouldHaveSingleItem().ArtifactId.ShouldBe(held.ArtifactId);
        result.Deleted.ShouldAllBe(d => d.BlobName == free.BlobName);
        (await Artifacts.ListByParticipantAsync(studyId, p1, Ct)).ShouldHaveSingleItem().ArtifactId.ShouldBe(held.ArtifactId);
        await ShouldHaveNoBlobsAsync(free);
    }

    [Fact]
    public async Task Other_participants_blobs_stay_even_one_whose_name_starts_with_the_deleted_blobs_name()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var p1 = await StudyApi.RegisterParticipantAsync(env.Http, studyId);
        var p2 = await StudyApi.RegisterParticipantAsync(env.Http, studyId);
        var s1 = await StudyApi.RegisterSessionAsync(env.Http, studyId, SessionKind.Interview, "2024-07-15", p1);
        var s2 = await StudyApi.RegisterSessionAsync(env.Http, studyId, SessionKind.Interview, "2024-07-16", p2);
        var mine = await UploadAsync(studyId, s1, ArtifactKind.Transcript, "text/plain", "mine");
        var theirs = await UploadAsync(studyId, s2, ArtifactKind.Transcript, "text/plain", "theirs");
        var theirSnapshot = await SnapshotAsync(theirs);

        // Another participant's artifact whose blob name begins with the whole of the deleted one's: a prefix listing finds both.
        var lookalike = await AddArtifactAsync(studyId, s2, [p2], ArtifactKind.Transcript, mine.BlobName + ".docx", "theirs too");

        var result = await Eraser.DeleteResearchDataAsync(studyId, p1, Ct);

        result.Deleted.ShouldAllBe(d => d.BlobName == mine.BlobName);
        foreach (var kept in new[] { theirs, lookalike })
        {
            (await Blob(kept).ExistsAsync(Ct)).Value.ShouldBeTrue(kept.BlobName);
            (await Artifacts.FindAsync(studyId, kept.ArtifactId, Ct)).ShouldNotBeNull();
        }

        (await Blob(theirs).WithSnapshot(theirSnapshot).ExistsAsync(Ct)).Value.ShouldBeTrue();
        (await Artifacts.ListByParticipantAsync(studyId, p2, Ct)).Select(a => a.ArtifactId).ShouldBe([theirs.ArtifactId, lookalike.ArtifactId], ignoreOrder: true);
        (await Blob(mine).ExistsAsync(Ct)).Value.ShouldBeFalse();
    }

    [Fact]
    public async Task In_a_focus_group_the_shared_material_stays_and_is_reported_and_own_material_goes()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var p1 = await StudyApi.RegisterParticipantAsync(env.Http, studyId);
        var p2 = await StudyApi.RegisterParticipantAsync(env.Http, studyId);
        var p3 = await StudyApi.RegisterParticipantAsync(env.Http, studyId);
        var group = await StudyApi.RegisterSessionAsync(env.Http, studyId, SessionKind.FocusGroup, "2024-07-22", p1, p2, p3);
        var recording = await UploadAsync(studyId, group, ArtifactKind.Recording, "audio/mpeg", "everyone's voices");
        var transcript = await UploadAsync(studyId, group, ArtifactKind.Transcript, "text/plain", "Moderator: Welcome.\nP1: Hi.\nP2: Hello.\n");
        var notes = await UploadAsync(studyId, group, ArtifactKind.Notes, "text/plain", "group notes");
        var ownTurns = await AddAnonymisedAsync(studyId, group, [p1], "[Participant]: Hi.\n");

        var result = await Eraser.DeleteResearchDataAsync(studyId, p1, Ct);

        result.KeptForRedaction.ShouldBe(
            [
                new KeptItem(recording.ArtifactId, group, ArtifactKind.Recording),
                new KeptItem(transcript.ArtifactId, group, ArtifactKind.Transcript),
                new KeptItem(notes.ArtifactId, group, ArtifactKind.Notes),
            ],
            ignoreOrder: true);
        result.Deleted.ShouldHaveSingleItem().BlobName.ShouldBe(ownTurns.BlobName);
        foreach (var shared in new[] { recording, transcript, notes })
        {
            (await Blob(shared).ExistsAsync(Ct)).Value.ShouldBeTrue(shared.Kind);
        }

        // The participant's index rows of shared items stay, so the redaction task (and a later run) can still find them.
        (await Artifacts.ListByParticipantAsync(studyId, p1, Ct)).Select(a => a.ArtifactId).ShouldBe([recording.ArtifactId, transcript.ArtifactId, notes.ArtifactId], ignoreOrder: true);
        (await Artifacts.ListByParticipantAsync(studyId, p2, Ct)).Count.ShouldBe(3);
        (await Blob(ownTurns).ExistsAsync(Ct)).Value.ShouldBeFalse();
        (await Artifacts.FindAsync(studyId, ownTurns.ArtifactId, Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task A_second_run_deletes_nothing_and_does_not_fail()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var p1 = await StudyApi.RegisterParticipantAsync(env.Http, studyId);
        var p2 = await StudyApi.RegisterParticipantAsync(env.Http, studyId);
        var interview = await StudyApi.RegisterSessionAsync(env.Http, studyId, SessionKind.Interview, "2024-07-15", p1);
        var group = await StudyApi.RegisterSessionAsync(env.Http, studyId, SessionKind.FocusGroup, "2024-07-22", p1, p2);
        var recording = await UploadAsync(studyId, interview, ArtifactKind.Recording, "audio/mpeg", "p1 alone");
        await SnapshotAsync(recording);
        var shared = await UploadAsync(studyId, group, ArtifactKind.Recording, "audio/mpeg", "p1 and p2");

        var first = await Eraser.DeleteResearchDataAsync(studyId, p1, Ct);
        var second = await Eraser.DeleteResearchDataAsync(studyId, p1, Ct);

        first.Deleted.Count.ShouldBe(2);
        second.Deleted.ShouldBeEmpty();
        second.KeptForRedaction.ShouldBe([new KeptItem(shared.ArtifactId, group, ArtifactKind.Recording)], "kept items are reported every time, for a caller that crashed before acting on them");
    }

    [Fact]
    public async Task A_run_after_a_crash_part_way_finishes_the_job_without_failing_on_what_is_gone()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var p1 = await StudyApi.RegisterParticipantAsync(env.Http, studyId);
        var session = await StudyApi.RegisterSessionAsync(env.Http, studyId, SessionKind.Interview, "2024-07-15", p1);
        var recording = await UploadAsync(studyId, session, ArtifactKind.Recording, "audio/mpeg", "recording");
        var transcript = await UploadAsync(studyId, session, ArtifactKind.Transcript, "text/plain", "transcript");
        var snapshot = await SnapshotAsync(transcript);

        // The first run died after deleting the recording and one snapshot of the transcript, before any index row went.
        await Blob(recording).DeleteAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: Ct);
        await Blob(transcript).WithSnapshot(snapshot).DeleteAsync(cancellationToken: Ct);

        var result = await Eraser.DeleteResearchDataAsync(studyId, p1, Ct);

        result.Deleted.ShouldHaveSingleItem().ShouldBe(new DeletedItem(transcript.Container, transcript.BlobName, null, null, transcript.Size, transcript.Sha256));
        (await ArtifactRowsAsync(studyId)).ShouldBeEmpty();
        (await Artifacts.ListByStudyAsync(studyId, Ct)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Index_rows_half_removed_are_finished_off()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var p1 = await StudyApi.RegisterParticipantAsync(env.Http, studyId);
        var p2 = await StudyApi.RegisterParticipantAsync(env.Http, studyId);
        var session = await StudyApi.RegisterSessionAsync(env.Http, studyId, SessionKind.Interview, "2024-07-15", p1);
        var artifact = await AddArtifactAsync(studyId, session, [p1], ArtifactKind.Notes, $"{studyId}/{session}/{PseudonymousId.New(PseudonymousId.Artifact)}.txt", "notes");

        await Artifacts.DeleteIndexAsync(artifact, Ct);
        await Artifacts.DeleteIndexAsync(artifact, Ct);
        await Artifacts.DeleteIndexAsync(artifact with { ParticipantIds = [p1, p2] }, Ct);

        (await ArtifactRowsAsync(studyId)).ShouldBeEmpty();
        (await Artifacts.FindAsync(studyId, artifact.ArtifactId, Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task A_participant_with_no_material_gets_an_empty_result()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var p1 = await StudyApi.RegisterParticipantAsync(env.Http, studyId);

        var result = await Eraser.DeleteResearchDataAsync(studyId, p1, Ct);

        result.Deleted.ShouldBeEmpty();
        result.KeptForRedaction.ShouldBeEmpty();
    }

    private async Task<Artifact> UploadAsync(string studyId, string sessionId, string kind, string contentType, string text)
    {
        using var response = await env.Http.SendAsync(StudyApi.Upload(studyId, sessionId, kind, Encoding.UTF8.GetBytes(text), contentType), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Ct));
        var artifactId = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("artifactId").GetString()!;
        return (await Artifacts.FindAsync(studyId, artifactId, Ct))!;
    }

    /// <summary>Anonymised transcripts are produced, not uploaded: the blob and its index rows are written as the anonymiser's caller would.</summary>
    private Task<Artifact> AddAnonymisedAsync(string studyId, string sessionId, string[] participantIds, string text) =>
        AddArtifactAsync(studyId, sessionId, participantIds, ArtifactKind.AnonymisedTranscript, $"{studyId}/{sessionId}/{PseudonymousId.New(PseudonymousId.Artifact)}.txt", text);

    private async Task<Artifact> AddArtifactAsync(string studyId, string sessionId, string[] participantIds, string kind, string blobName, string text)
    {
        var content = Encoding.UTF8.GetBytes(text);
        var artifact = new Artifact
        {
            StudyId = studyId,
            ArtifactId = PseudonymousId.New(PseudonymousId.Artifact),
            SessionId = sessionId,
            ParticipantIds = participantIds,
            Kind = kind,
            Container = ArtifactContainers.ContainerOf(kind),
            BlobName = blobName,
            ContentType = "text/plain",
            Size = content.Length,
            Sha256 = Convert.ToHexStringLower(SHA256.HashData(content)),
            UploadedAt = DateTimeOffset.UtcNow,
            UploadedBy = "test",
        };
        await Blob(artifact).UploadAsync(new BinaryData(content), Ct);
        await Artifacts.IndexAsync(artifact, Ct);
        return artifact;
    }

    private Azure.Storage.Blobs.BlobClient Blob(Artifact artifact) => env.Blobs.GetBlobContainerClient(artifact.Container).GetBlobClient(artifact.BlobName);

    private async Task<string> SnapshotAsync(Artifact artifact) => (await Blob(artifact).CreateSnapshotAsync(cancellationToken: Ct)).Value.Snapshot;

    /// <summary>
    /// Two distinct snapshots. Azurite names a snapshot by its time to the millisecond, so two taken within one millisecond
    /// (a fast machine) are one: take the second again until its name differs.
    /// </summary>
    private async Task<string[]> TwoSnapshotsAsync(Artifact artifact)
    {
        var first = await SnapshotAsync(artifact);
        var second = await SnapshotAsync(artifact);
        while (second == first)
        {
            second = await SnapshotAsync(artifact);
        }

        return [first, second];
    }

    private async Task ShouldHaveNoBlobsAsync(params Artifact[] artifacts)
    {
        foreach (var artifact in artifacts)
        {
            var options = new GetBlobsOptions { Prefix = artifact.BlobName, States = BlobStates.Snapshots | BlobStates.Version };
            await foreach (var item in env.Blobs.GetBlobContainerClient(artifact.Container).GetBlobsAsync(options, Ct))
            {
                throw new ShouldAssertException($"{artifact.Container}/{item.Name} (snapshot {item.Snapshot}, version {item.VersionId}) should be gone");
            }
        }
    }

    /// <summary>Every row of a study in the Artifacts table (artifact and index rows), read raw.</summary>
    private async Task<IReadOnlyList<string>> ArtifactRowsAsync(string studyId)
    {
        var rows = new List<string>();
        var table = env.Tables.GetTableClient(StorageLayout.Tables.Artifacts);
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {studyId}"), cancellationToken: Ct))
        {
            rows.Add(row.RowKey);
        }

        return rows;
    }
}
