namespace Compliance.Anonymisation;

/// <summary>
/// An anonymised transcript of a whole session, as analysts see it (<c>GET /api/anonymised-transcripts</c>): which session
/// of which study, when it was prepared, and its size and checksum. No participant ids: analysts need none.
/// </summary>
public sealed record AnonymisedTranscriptView(
    string StudyId,
    string SessionId,
    string ArtifactId,
    string SessionKind,
    DateOnly SessionDate,
    DateTimeOffset PreparedAt,
    long Size,
    string Sha256);

/// <summary>The answer to <c>GET /api/anonymised-transcripts?studyId=</c>: a study's anonymised transcripts, by session date.</summary>
public sealed record AnonymisedTranscriptList(string StudyId, IReadOnlyList<AnonymisedTranscriptView> Transcripts, string? Continuation = null);

/// <summary>
/// The answer to <c>POST /api/studies/{id}/sessions/{sid}/anonymised-transcript</c>: the anonymised copy now analysts read,
/// from which transcript, what was removed (counts by kind), and whether a person should read it before it is relied on.
/// </summary>
/// <param name="Transcript">The copy analysts read; it replaces any earlier copy of the session.</param>
/// <param name="SourceArtifactId">The transcript it was made from (the session's latest).</param>
/// <param name="Removals">How many of each kind of detail were removed (<c>Participant</c>, <c>Email</c>, …).</param>
/// <param name="TurnsKept">Speaker turns in the copy.</param>
/// <param name="UnattributedTurns">Turns whose speaker matched no one (or more than one), kept but worth a look.</param>
/// <param name="NeedsReview">True when turns could not be attributed or none were recognised: read it through before relying on it.</param>
/// <param name="Replaced">Earlier copies of the session that this one replaced.</param>
public sealed record PreparedTranscript(
    AnonymisedTranscriptView Transcript,
    string SourceArtifactId,
    IReadOnlyDictionary<string, int> Removals,
    int TurnsKept,
    int UnattributedTurns,
    bool NeedsReview,
    int Replaced);
