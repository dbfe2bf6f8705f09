namespace Compliance.Studies;

/// <summary>A study in <c>GET /api/studies</c>: its dates on the way to deletion, and whether its sweep is due.</summary>
/// <remarks><c>deletionDate</c> is null until the report is published (the rule counts from publication).</remarks>
public sealed record StudySummary(string StudyId, string Title, DateOnly EndOfDataCollection, DateOnly? PublishedOn, DateOnly? DeletionDate, bool Due, string RetentionRule);

/// <summary>The answer to <c>GET /api/studies</c>.</summary>
public sealed record StudyList(IReadOnlyList<StudySummary> Studies, string? Continuation = null);

/// <summary>The body of <c>POST /api/studies/{id}/publication</c>.</summary>
public sealed record PublicationRequest(string PublishedOn);

/// <summary>The kinds of session the notice names.</summary>
public static class SessionKind
{
    public const string Interview = "interview";
    public const string FocusGroup = "focus-group";

    public static IReadOnlyList<string> All { get; } = [Interview, FocusGroup];
}

/// <summary>A session as the API shows it.</summary>
public sealed record SessionView(string SessionId, string StudyId, string Kind, DateOnly Date, IReadOnlyList<string> ParticipantIds, string? SupplierId);

/// <summary>An artifact as the API shows it: where it is, how big, and its checksum.</summary>
public sealed record ArtifactView(string ArtifactId, string StudyId, string SessionId, string Kind, string Container, string BlobName, string ContentType, long Size, string Sha256, DateTimeOffset UploadedAt);

/// <summary>A session with its uploaded material, in <c>GET /api/studies/{id}/sessions</c>.</summary>
public sealed record SessionWithArtifacts(SessionView Session, IReadOnlyList<ArtifactView> Artifacts);

/// <summary>The answer to <c>GET /api/studies/{id}/sessions</c>, oldest session first.</summary>
public sealed record SessionList(IReadOnlyList<SessionWithArtifacts> Sessions, string? Continuation = null);

/// <summary>
/// A participant in <c>GET /api/studies/{id}/participants</c>. The contact details (<c>name</c>, <c>email</c>, <c>phone</c>)
/// are given only to roles that may see them (Researcher, Dpo), and are null once erased.
/// </summary>
public sealed record ParticipantView(string ParticipantId, string? Name, string? Email, string? Phone, string NoticeVersion, bool DoNotContact, DateTimeOffset RegisteredAt, DateTimeOffset? ErasedAt);

/// <summary>The answer to <c>GET /api/studies/{id}/participants</c>.</summary>
public sealed record ParticipantList(IReadOnlyList<ParticipantView> Participants, string? Continuation = null);

/// <summary>The body of <c>POST /api/studies/{id}/participants</c>.</summary>
public sealed record RegisterParticipantRequest(
    string Name,
    string Email,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? Phone);

/// <summary>The body of <c>POST /api/studies/{id}/sessions</c>.</summary>
public sealed record RegisterSessionRequest(
    string Kind,
    string Date,
    IReadOnlyList<string> ParticipantIds,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? SupplierId);

/// <summary>The kinds of research material (the container each lives in is the server's: <c>ArtifactContainers</c>).</summary>
public static class ArtifactKind
{
    public const string Recording = "recording";
    public const string Transcript = "transcript";
    public const string Notes = "notes";
    public const string AnonymisedTranscript = "anonymised-transcript";

    /// <summary>The kinds researchers upload (anonymised transcripts are produced by redaction).</summary>
    public static IReadOnlyList<string> Uploadable { get; } = [Recording, Transcript, Notes];

    public static IReadOnlyList<string> All { get; } = [Recording, Transcript, Notes, AnonymisedTranscript];
}

/// <summary>A study as the API shows it (<c>PUT /api/studies/{id}</c>, <c>POST …/publication</c>): its dates and policy, by version.</summary>
public sealed record StudyView(string StudyId, string Title, string PolicySource, string PolicyVersion, string NoticeVersion, DateOnly EndOfDataCollection, DateOnly? AnalysisStartedOn, DateOnly? PublishedOn, DateTimeOffset RegisteredAt, DateTimeOffset UpdatedAt);

/// <summary><c>GET /api/studies/{id}</c>: the study and the policy text it was registered with, exactly as agreed.</summary>
public sealed record StudyDetail(StudyView Study, string PolicyText);

/// <summary>A policy file the service knows (under <c>policies/</c>), with its text, so a study can start from it.</summary>
public sealed record PolicyFileView(string Name, string PolicyVersion, string NoticeVersion, string NoticeTitle, string Text);

/// <summary><c>GET /api/policies</c>: the policy files, by name.</summary>
public sealed record PolicyFileList(IReadOnlyList<PolicyFileView> Policies);

/// <summary>
/// The body of <c>PUT /api/studies/{id}</c> as the console sends it: dates as <c>yyyy-MM-dd</c> (the API checks them), and
/// either a policy file's name or the policy's own text (YAML or JSON).
/// </summary>
public sealed record RegisterStudyRequest(string Title, string EndOfDataCollection, string? AnalysisStartedOn, string? PolicyFile, string? PolicyText);
