using System.Globalization;
using Compliance.Audit;

namespace Compliance.Studies;

/// <summary>The audit events of registering research material. Ids, versions, kinds, sizes and checksums only: never a name or an address.</summary>
public static class StudyAuditEvents
{
    public static AuditEvent StudyRegistered(Study study, string actor, bool created)
    {
        ArgumentNullException.ThrowIfNull(study);
        return new AuditEvent(actor, created ? AuditActions.StudyRegistered : AuditActions.StudyUpdated)
        {
            StudyId = study.StudyId,
            Details = new Dictionary<string, string>
            {
                ["policySource"] = study.PolicySource,
                ["policyVersion"] = study.PolicyVersion,
                ["noticeVersion"] = study.NoticeVersion,
                ["endOfDataCollection"] = Date(study.EndOfDataCollection),
                ["analysisStartedOn"] = study.AnalysisStartedOn is { } a ? Date(a) : "none",
            },
        };
    }

    public static AuditEvent PublicationRecorded(string studyId, DateOnly publishedOn, string actor) =>
        new(actor, AuditActions.PublicationRecorded)
        {
            StudyId = studyId,
            Details = new Dictionary<string, string> { ["publishedOn"] = Date(publishedOn) },
        };

    public static AuditEvent ParticipantRegistered(Participant participant, string actor)
    {
        ArgumentNullException.ThrowIfNull(participant);
        return new AuditEvent(actor, AuditActions.ParticipantRegistered)
        {
            StudyId = participant.StudyId,
            Details = new Dictionary<string, string> { ["participantId"] = participant.ParticipantId, ["noticeVersion"] = participant.NoticeVersion },
        };
    }

    public static AuditEvent SessionRegistered(Session session, string actor)
    {
        ArgumentNullException.ThrowIfNull(session);
        return new AuditEvent(actor, AuditActions.SessionRegistered)
        {
            StudyId = session.StudyId,
            Details = new Dictionary<string, string>
            {
                ["sessionId"] = session.SessionId,
                ["kind"] = session.Kind,
                ["date"] = Date(session.Date),
                ["participants"] = string.Join('+', session.ParticipantIds),
            },
        };
    }

    public static AuditEvent ArtifactUploaded(Artifact artifact)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        return new AuditEvent(artifact.UploadedBy, AuditActions.ArtifactUploaded)
        {
            StudyId = artifact.StudyId,
            Details = new Dictionary<string, string>
            {
                ["artifactId"] = artifact.ArtifactId,
                ["sessionId"] = artifact.SessionId,
                ["kind"] = artifact.Kind,
                ["container"] = artifact.Container,
                ["size"] = artifact.Size.ToString(CultureInfo.InvariantCulture),
                ["sha256"] = artifact.Sha256,
            },
            IdempotencyKey = $"{artifact.ArtifactId}:uploaded",
        };
    }

    /// <summary>An analysts' copy made from <paramref name="sourceArtifactId"/>: ids, sizes and counts of what was removed.</summary>
    public static AuditEvent TranscriptAnonymised(Artifact copy, string sourceArtifactId, IReadOnlyDictionary<string, int> removals, IReadOnlyList<string> replaced)
    {
        ArgumentNullException.ThrowIfNull(copy);
        ArgumentNullException.ThrowIfNull(removals);
        ArgumentNullException.ThrowIfNull(replaced);
        return new AuditEvent(copy.UploadedBy, AuditActions.TranscriptAnonymised)
        {
            StudyId = copy.StudyId,
            Details = new Dictionary<string, string>
            {
                ["artifactId"] = copy.ArtifactId,
                ["sessionId"] = copy.SessionId,
                ["sourceArtifactId"] = sourceArtifactId,
                ["size"] = copy.Size.ToString(CultureInfo.InvariantCulture),
                ["sha256"] = copy.Sha256,
                ["removals"] = removals.Count == 0 ? "none" : string.Join("+", removals.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{r.Key}:{r.Value}")),
                ["replaced"] = Requests.RequestAuditEvents.Ids(replaced),
            },
            IdempotencyKey = $"{copy.ArtifactId}:anonymised",
        };
    }

    private static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
