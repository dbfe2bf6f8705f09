namespace Compliance.Studies;

/// <summary>Study records as the API shows them (Compliance.Contracts), mapped in one place.</summary>
public static class StudyViews
{
    public static StudyView From(Study s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return new(s.StudyId, s.Title, s.PolicySource, s.PolicyVersion, s.NoticeVersion, s.EndOfDataCollection, s.AnalysisStartedOn, s.PublishedOn, s.RegisteredAt, s.UpdatedAt);
    }

    public static SessionView From(Session s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return new(s.SessionId, s.StudyId, s.Kind, s.Date, s.ParticipantIds, s.SupplierId);
    }

    public static ArtifactView From(Artifact a)
    {
        ArgumentNullException.ThrowIfNull(a);
        return new(a.ArtifactId, a.StudyId, a.SessionId, a.Kind, a.Container, a.BlobName, a.ContentType, a.Size, a.Sha256, a.UploadedAt);
    }

    /// <summary>A participant, with contact details only when <paramref name="withContactDetails"/>.</summary>
    public static ParticipantView From(Participant p, bool withContactDetails)
    {
        ArgumentNullException.ThrowIfNull(p);
        return new(p.ParticipantId, withContactDetails ? p.Name : null, withContactDetails ? p.Email : null, withContactDetails ? p.Phone : null, p.NoticeVersion, p.DoNotContact, p.RegisteredAt, p.ErasedAt);
    }
}
