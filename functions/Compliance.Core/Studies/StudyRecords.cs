using System.Text.RegularExpressions;

namespace Compliance.Studies;

/// <summary>A registered study: its dates and the policy (the privacy notice as policy) it runs under.</summary>
public sealed record Study
{
    public required string StudyId { get; init; }
    public required string Title { get; init; }

    /// <summary>The policy file it was registered with (e.g. <c>mpati</c>), or <c>inline</c>.</summary>
    public required string PolicySource { get; init; }

    /// <summary>The policy document as registered (YAML or JSON), so it can be read back exactly as agreed.</summary>
    public required string PolicyText { get; init; }
    public required string PolicyVersion { get; init; }
    public required string NoticeVersion { get; init; }
    public required DateOnly EndOfDataCollection { get; init; }
    public DateOnly? AnalysisStartedOn { get; init; }
    public DateOnly? PublishedOn { get; init; }
    public required DateTimeOffset RegisteredAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>A participant: a pseudonymous id that survives erasure, and contact details that do not.</summary>
public sealed record Participant
{
    public required string StudyId { get; init; }
    public required string ParticipantId { get; init; }
    public string? Name { get; init; }
    public string? Email { get; init; }
    public string? Phone { get; init; }

    /// <summary>The version of the privacy notice the participant was given.</summary>
    public required string NoticeVersion { get; init; }
    public bool DoNotContact { get; init; }
    public required DateTimeOffset RegisteredAt { get; init; }

    /// <summary>When the contact details were last erased (null if never); the id and the study's material stay.</summary>
    public DateTimeOffset? ErasedAt { get; init; }

    /// <summary>When the contact details or do-not-contact last changed after registration (null if never).</summary>
    public DateTimeOffset? UpdatedAt { get; init; }
}

/// <summary>What a change to a participant's contact details did.</summary>
public enum ContactChange
{
    /// <summary>The record was changed.</summary>
    Updated,

    /// <summary>The record already said so (a repeated step): nothing was written.</summary>
    Unchanged,

    /// <summary>The study has no participant with that id.</summary>
    ParticipantNotFound,

    /// <summary>Another participant of the study holds the new email address; nothing was written.</summary>
    EmailInUse,

    /// <summary>A pending new address has not been confirmed with its code (or there is none); nothing was written.</summary>
    NotConfirmed,
}

/// <summary>An interview or focus group, its date, who took part and which supplier transcribes it.</summary>
public sealed record Session
{
    public required string StudyId { get; init; }
    public required string SessionId { get; init; }
    public required string Kind { get; init; }
    public required DateOnly Date { get; init; }
    public required IReadOnlyList<string> ParticipantIds { get; init; }
    public string? SupplierId { get; init; }
    public required DateTimeOffset RegisteredAt { get; init; }
}

/// <summary>The container each kind of research material (<see cref="ArtifactKind"/>) lives in.</summary>
public static class ArtifactContainers
{
    public static string ContainerOf(string kind) => kind switch
    {
        ArtifactKind.Recording => Storage.StorageLayout.Containers.Recordings,
        ArtifactKind.Transcript => Storage.StorageLayout.Containers.Transcripts,
        ArtifactKind.Notes => Storage.StorageLayout.Containers.Notes,
        ArtifactKind.AnonymisedTranscript => Storage.StorageLayout.Containers.AnonymisedTranscripts,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not an artifact kind"),
    };
}

/// <summary>A recording, transcript or note in blob storage, indexed by study, session and participant.</summary>
public sealed record Artifact
{
    public required string StudyId { get; init; }
    public required string ArtifactId { get; init; }
    public required string SessionId { get; init; }
    public required IReadOnlyList<string> ParticipantIds { get; init; }
    public required string Kind { get; init; }
    public required string Container { get; init; }

    /// <summary>Built from pseudonymous ids only: <c>{studyId}/{sessionId}/{artifactId}{extension}</c>.</summary>
    public required string BlobName { get; init; }
    public required string ContentType { get; init; }
    public required long Size { get; init; }

    /// <summary>SHA-256 of the content, lower-case hex.</summary>
    public required string Sha256 { get; init; }
    public required DateTimeOffset UploadedAt { get; init; }
    public required string UploadedBy { get; init; }
}

/// <summary>The shape of study ids (and other caller-chosen ids): letters, digits, '-' and '_', up to 64.</summary>
public static partial class StudyIds
{
    public static bool IsWellFormed(string? value) => value is not null && Pattern().IsMatch(value);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
