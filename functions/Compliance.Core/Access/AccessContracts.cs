using System.Text.Json.Serialization;
using Compliance.Anonymisation;

namespace Compliance.Access;

// These records go into orchestration state and audit entries: ids, sizes, checksums and times only, never a name, an
// address or a word of a transcript. Change them only by adding optional members (in-flight instances replay them).

/// <summary>Which of a participant's sessions have a transcript yet, and from when their access export may be built.</summary>
/// <param name="SessionsWithTranscript">Sessions of the participant with at least one uploaded transcript, by date.</param>
/// <param name="SessionsWithoutTranscript">Sessions of the participant with no transcript yet, by date.</param>
/// <param name="EarliestBuildAt">
/// The start (UK midnight) of the latest session's date plus the policy's <c>access.transcriptAvailableAfterSession</c>;
/// null when the participant took part in no session, so there is nothing to wait for.
/// </param>
public sealed record TranscriptReadiness(
    IReadOnlyList<string> SessionsWithTranscript,
    IReadOnlyList<string> SessionsWithoutTranscript,
    DateTimeOffset? EarliestBuildAt)
{
    /// <summary>Whether every session of the participant has a transcript.</summary>
    [JsonIgnore]
    public bool AllTranscribed => SessionsWithoutTranscript.Count == 0;

    /// <summary>Whether the export may be built at <paramref name="now"/> (the orchestration's time).</summary>
    public bool IsDueAt(DateTimeOffset now) => EarliestBuildAt is not { } at || now >= at;
}

/// <summary>An access export as written: where the package and its redaction log are, and what the package holds. Ids only.</summary>
/// <param name="Container">The container of the package (<c>exports</c>).</param>
/// <param name="BlobName">The package: <c>{studyId}/{requestId}/access-package.zip</c>.</param>
/// <param name="Size">The package's size in bytes.</param>
/// <param name="Sha256">SHA-256 of the package, lower-case hex.</param>
/// <param name="SessionIds">The sessions whose anonymised transcripts the package holds.</param>
/// <param name="RedactionLogBlobName">The redaction log, in the <c>redaction-logs</c> container: <c>{studyId}/{requestId}/redaction-log.json</c>.</param>
public sealed record AccessExport(
    string Container,
    string BlobName,
    long Size,
    string Sha256,
    IReadOnlyList<string> SessionIds,
    string RedactionLogBlobName)
{
    /// <summary>
    /// Sessions whose output a person should check before the package is sent: turns that could not be attributed, none of
    /// the requester's turns found, a group transcript without recognisable turns, or a transcript in a format not read.
    /// </summary>
    public IReadOnlyList<string> SessionsToReview { get; init; } = [];
}

/// <summary>The redaction log of an access export (JSON, stored apart from the package): what was removed where, never the removed text.</summary>
public sealed record AccessRedactionLog(
    string StudyId,
    string RequestId,
    string ParticipantId,
    DateTimeOffset PreparedAt,
    IReadOnlyList<TranscriptRedactionLog> Transcripts);

/// <summary>The removals from one transcript of an access export, with the anonymiser's counts.</summary>
/// <param name="SessionId">The session.</param>
/// <param name="ArtifactId">The raw transcript it was made from.</param>
/// <param name="SourceSha256">SHA-256 of the raw transcript, so the log can be checked against it while it exists.</param>
/// <param name="SessionKind">The session's kind, which decides whether the interviewer's questions were kept.</param>
/// <param name="PackageEntry">The file in the package (<c>transcripts/2024-07-10-interview.txt</c>); null when none was made.</param>
/// <param name="NeedsReview">Whether a person should check this output before the package is sent (see <see cref="AccessExport.SessionsToReview"/>).</param>
/// <param name="TurnsKept">Turns in the output.</param>
/// <param name="TurnsLeftOut">Turns of the source left out: other people's, a group's questions, unattributable ones.</param>
/// <param name="UnattributedTurns">Turns whose speaker matched nobody.</param>
/// <param name="TurnsRecognised">False when no line looked like a speaker turn.</param>
/// <param name="Counts">Removals by category.</param>
/// <param name="Entries">Every removal, as <see cref="AnonymisedTranscript.Log"/> has it; offsets are in the entry's text.</param>
public sealed record TranscriptRedactionLog(
    string SessionId,
    string ArtifactId,
    string SourceSha256,
    string SessionKind,
    string? PackageEntry,
    bool NeedsReview,
    int TurnsKept,
    int TurnsLeftOut,
    int UnattributedTurns,
    bool TurnsRecognised,
    IReadOnlyDictionary<RedactionCategory, int> Counts,
    IReadOnlyList<RedactionLogEntry> Entries);
