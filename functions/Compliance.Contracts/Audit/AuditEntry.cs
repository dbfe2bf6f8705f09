namespace Compliance.Audit;

/// <summary>
/// One entry of the audit log, as stored: an <c>AuditEvent</c> placed at <paramref name="Sequence"/> in its
/// <paramref name="Chain"/>, stamped with the time it was appended and linked to the entry before it by hash.
/// </summary>
/// <param name="Chain"><c>study:{studyId}</c> for events about a study, <c>global</c> otherwise.</param>
/// <param name="Sequence">The position in the chain: 1, 2, 3… with no gaps.</param>
/// <param name="At">When the entry was appended (UTC, whole milliseconds).</param>
/// <param name="Actor">Who did it: a staff principal's id, <c>participant</c> or <c>system</c>.</param>
/// <param name="Action">What happened, e.g. <c>request.received</c>.</param>
/// <param name="StudyId">The study it concerns, if any.</param>
/// <param name="RequestId">The data-subject request it concerns, if any.</param>
/// <param name="Details">More ids or codes, sorted by key (ordinal); empty when there are none.</param>
/// <param name="IdempotencyKey">The key the event was appended with, if any.</param>
/// <param name="PreviousHash">The <see cref="Hash"/> of the entry before, or <c>AuditHash.Genesis</c> for the first.</param>
/// <param name="Hash">SHA-256 (lower-case hex) of the entry's canonical form (<c>AuditHash.CanonicalForm</c>).</param>
public sealed record AuditEntry(
    string Chain,
    long Sequence,
    DateTimeOffset At,
    string Actor,
    string Action,
    string? StudyId,
    string? RequestId,
    IReadOnlyDictionary<string, string> Details,
    string? IdempotencyKey,
    string PreviousHash,
    string Hash);
