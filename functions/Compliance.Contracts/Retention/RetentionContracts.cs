namespace Compliance.Retention;

/// <summary>The kinds of hold: a legal hold, or a safeguarding hold placed with a break-glass disclosure.</summary>
public static class HoldKind
{
    public const string Legal = "legal";
    public const string Safeguarding = "safeguarding";

    public static IReadOnlyList<string> All { get; } = [Legal, Safeguarding];
}

/// <summary>What a hold covers: one participant's material and contact details, one session's material, or a whole study.</summary>
public static class HoldScope
{
    public const string Participant = "participant";
    public const string Session = "session";
    public const string Study = "study";

    public static IReadOnlyList<string> All { get; } = [Participant, Session, Study];
}

/// <summary>A hold as the API shows it (<c>POST /api/holds</c>, the retention plan's <c>holds</c>).</summary>
public sealed record HoldView(string HoldId, string StudyId, string Kind, string Scope, string TargetId, string Reason, DateOnly ReviewOn, string PlacedBy, DateTimeOffset PlacedAt, DateTimeOffset? ReleasedAt, string? ReleasedBy);

/// <summary>The body of <c>POST /api/holds</c>: what is held (no target for a study hold), why, and when the DPO reviews it.</summary>
public sealed record PlaceHoldRequest(string StudyId, string Kind, string Scope, string? TargetId, string Reason, string ReviewOn);

/// <summary>An item of a retention plan: when it is deleted, or which holds keep it.</summary>
public sealed record RetentionPlanItem(string Container, string Name, string? VersionId, string? Snapshot, long Size, DateOnly? DeletionDate, IReadOnlyList<string> HeldBy);

/// <summary>The answer to <c>GET /api/studies/{id}/retention</c>.</summary>
public sealed record RetentionPlanView(
    string StudyId,
    string Rule,
    DateOnly? PublishedOn,
    DateOnly? DeletionDate,
    bool Due,
    IReadOnlyList<HoldView> Holds,
    IReadOnlyList<RetentionPlanItem> Items,
    IReadOnlyList<string> ContactDetailsDeleted,
    IReadOnlyList<string> ContactDetailsHeld);

/// <summary>One study's sweep as <c>POST /api/retention/run</c> and the timer report it.</summary>
public sealed record SweepStart(string StudyId, string InstanceId, bool Started, string Reason);

/// <summary>Why a sweep was or was not started (<see cref="SweepStart.Reason"/>).</summary>
public static class SweepStartReason
{
    public const string Due = "due";
    public const string NoPublicationDate = "no-publication-date";
    public const string NotDue = "not-due";
    public const string AlreadyRunning = "already-running";
}

/// <summary>The states of <see cref="SweepView"/>.</summary>
public static class SweepState
{
    public const string None = "none";
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Failed = "failed";
}

/// <summary>The answer to <c>POST /api/retention/run</c>.</summary>
public sealed record SweepStarts(IReadOnlyList<SweepStart> Sweeps);

/// <summary>The body of <c>POST /api/retention/run</c>: one study, or (null) every study due.</summary>
public sealed record RunRetentionRequest([property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? StudyId);

/// <summary>
/// The answer to <c>GET /api/studies/{id}/retention/sweep</c>: the study's sweep workflow as it stands. <c>state</c> is
/// <c>none</c> (never run), <c>running</c>, <c>completed</c> or <c>failed</c>; while running, <c>step</c> and the batches
/// done say how far it is; once completed, the outcome, the certificate and the counts.
/// </summary>
public sealed record SweepView(
    string StudyId,
    string InstanceId,
    string State,
    string? Step,
    int BatchesDone,
    int Batches,
    DateTimeOffset? StartedAt,
    DateTimeOffset? UpdatedAt,
    string? Outcome,
    string? CertificateId,
    int Deleted,
    int HeldBlobs,
    int StillPresent);

/// <summary>
/// A deletion certificate in <c>GET /api/certificates?studyId=</c>: under what authority (<c>retention</c>, a sweep under the study's rule, or <c>request</c>
/// with its request id), when it completed, and how much it covers; <c>GET /api/certificates/{id}</c> gives it whole.
/// </summary>
public sealed record CertificateSummary(string CertificateId, string StudyId, string Kind, string? RequestId, DateTimeOffset CompletedAt, int Items, long Bytes);

/// <summary>The answer to <c>GET /api/certificates?studyId=</c>: the study's certificates, newest first.</summary>
public sealed record CertificateList(string StudyId, IReadOnlyList<CertificateSummary> Certificates, string? Continuation = null);

/// <summary>
/// A safeguarding disclosure as recorded (<c>GET /api/safeguarding?studyId=</c>): who disclosed what, why, to whom, when, and
/// the hold and review task it brought. Its words are the researcher's: they go to the DPO and the researchers only.
/// </summary>
public sealed record DisclosureView(
    string DisclosureId,
    string StudyId,
    string Scope,
    string TargetId,
    string Reason,
    string WhatDisclosed,
    string Recipient,
    string? RecipientDetails,
    string DisclosedBy,
    DateTimeOffset At,
    string HoldId,
    string ReviewTaskId);

/// <summary>The answer to <c>GET /api/safeguarding?studyId=</c>: the study's disclosures, newest first.</summary>
public sealed record DisclosureList(string StudyId, IReadOnlyList<DisclosureView> Disclosures, string? Continuation = null);

/// <summary>Who a safeguarding disclosure went to, as a code (the audit log holds codes, never names).</summary>
public static class DisclosureRecipient
{
    public const string Ons = "ons";
    public const string Police = "police";
    public const string LocalAuthority = "local-authority";
    public const string HealthProfessional = "health-professional";
    public const string Other = "other";

    public static IReadOnlyList<string> All { get; } = [Ons, Police, LocalAuthority, HealthProfessional, Other];
}

/// <summary>The answer to <c>GET /api/holds?studyId=</c>: every hold of the study, in place or lifted, newest first.</summary>
public sealed record HoldList(string StudyId, IReadOnlyList<HoldView> Holds, string? Continuation = null);
