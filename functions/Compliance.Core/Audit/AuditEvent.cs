namespace Compliance.Audit;

/// <summary>
/// Something that happened, as a caller hands it to <see cref="AuditLog.AppendAsync"/>. It holds pseudonymous ids and codes
/// only, never personal data: no names, email addresses, free text or file contents. <see cref="AuditLog"/> enforces the
/// shape of every field (ids and codes from a small character set, no spaces, no <c>@</c>) so that free text cannot slip in.
/// </summary>
/// <param name="Actor">Who did it: a staff principal's id, <c>participant</c> or <c>system</c> (see <see cref="AuditActors"/>).</param>
/// <param name="Action">What happened, as a dotted verb such as <c>request.received</c> (see <see cref="AuditActions"/>).</param>
public sealed record AuditEvent(string Actor, string Action)
{
    /// <summary>The study it concerns; events with a study go to that study's chain, others to the global chain.</summary>
    public string? StudyId { get; init; }

    /// <summary>The data-subject request it concerns, if any.</summary>
    public string? RequestId { get; init; }

    /// <summary>
    /// A few more ids or codes (for example a request's <c>type</c> and <c>channel</c>), at most
    /// <see cref="AuditLog.MaxDetails"/>. Never personal data: keys are names, values are ids, codes, dates or numbers.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Details { get; init; }

    /// <summary>
    /// Makes the append idempotent within the event's chain: a second append with the same key returns the first entry and
    /// writes nothing. Activities run at least once, so their events carry a key made from what the step is, such as
    /// <c>{requestId}:acknowledged</c>, never from when it ran.
    /// </summary>
    public string? IdempotencyKey { get; init; }
}

/// <summary>The actions the application records. Features add theirs here, as dotted verbs in lower case.</summary>
public static class AuditActions
{
    public const string RequestReceived = "request.received";
    public const string RequestAcknowledged = "request.acknowledged";

    /// <summary>A request was recorded but its workflow could not be started, so the request was removed again.</summary>
    public const string RequestDiscarded = "request.discarded";

    public const string VerificationSent = "request.verification-sent";
    public const string RequestVerified = "request.verified";
    public const string RequestClosedUnverified = "request.closed-unverified";
    public const string ClockStarted = "request.clock-started";
    public const string RequestDuplicate = "request.duplicate";

    /// <summary>The DPO asked for an action (<c>approve</c>, <c>refuse</c>, …); what it did follows as its own entry.</summary>
    public const string ActionRequested = "request.action-requested";
    public const string NoteAdded = "request.note";

    /// <summary>A workflow step failed its retries; the workflow waits to run it again.</summary>
    public const string StepFailed = "request.step-failed";

    /// <summary>A failed workflow step ran again and succeeded (at the DPO's word or on the hourly retry).</summary>
    public const string StepRetried = "request.step-retried";
    public const string ActionRejected = "request.action-rejected";
    public const string RequestApproved = "request.approved";
    public const string RequestRefused = "request.refused";
    public const string RequestExtended = "request.extended";
    public const string ClockPaused = "request.clock-paused";
    public const string ClockResumed = "request.clock-resumed";
    public const string DeadlineReminder = "request.deadline-reminder";
    public const string DeadlineEscalation = "request.deadline-escalation";
    public const string RequestCompleted = "request.completed";
    public const string ExportCreated = "request.export-created";
    public const string ResearchDataDeleted = "request.research-data-deleted";
    public const string ContactErased = "request.contact-erased";
    public const string ContactKeptForHold = "request.contact-kept-for-hold";
    public const string ContactUpdated = "request.contact-updated";
    public const string DoNotContactSet = "request.do-not-contact";
    public const string AddressConfirmationSent = "request.address-confirmation-sent";
    public const string AddressConfirmed = "request.address-confirmed";
    public const string SupplierNotified = "request.supplier-notified";

    public const string MailReceived = "mail.received";
    public const string MailIgnored = "mail.ignored";
    public const string MailQuarantined = "mail.quarantined";
    public const string MailReply = "mail.reply";
    public const string MailRequestCreated = "mail.request-created";
    public const string MailTriage = "mail.triage";
    public const string MailSent = "mail.sent";

    /// <summary>The outbox sender gave up on a message after its last attempt; a DPO task says so.</summary>
    public const string MailSendFailed = "mail.send-failed";

    /// <summary>The DPO put a failed message back in the queue (<c>POST /api/requests/{id}/emails/{key}/resend</c>).</summary>
    public const string MailResendRequested = "mail.resend-requested";

    /// <summary>The watchdog found a workflow stalled by the engine (no step for too long, waiting for no one) and started it again.</summary>
    public const string WorkflowRestarted = "workflow.restarted";

    /// <summary>The watchdog found a request workflow waiting too long for an activity the engine never ran, and had it scheduled again.</summary>
    public const string WorkflowStepResent = "workflow.step-resent";

    public const string SafeguardingDisclosure = "safeguarding.disclosure";
    public const string HoldPlaced = "hold.placed";
    public const string HoldReleased = "hold.released";
    public const string RetentionSweepStarted = "retention.sweep-started";
    public const string RetentionSwept = "retention.swept";
    public const string CertificateIssued = "certificate.issued";
    public const string StudyEmailSent = "study.email-queued";

    public const string TaskCreated = "task.created";
    public const string TaskCompleted = "task.completed";

    public const string StudyRegistered = "study.registered";
    public const string StudyUpdated = "study.updated";
    public const string PublicationRecorded = "study.publication-recorded";
    public const string ParticipantRegistered = "participant.registered";
    public const string SessionRegistered = "session.registered";
    public const string ArtifactUploaded = "artifact.uploaded";

    /// <summary>A session's transcript was anonymised whole for analysts; the earlier copy, if any, was removed.</summary>
    public const string TranscriptAnonymised = "artifact.anonymised";
    public const string SupplierRegistered = "supplier.registered";
    public const string SupplierUpdated = "supplier.updated";
    public const string SupplierSuspended = "supplier.suspended";
    public const string SupplierContractWarning = "supplier.contract-warning";
    public const string SupplierAccess = "supplier.access";
    public const string SupplierAccessRefused = "supplier.access-refused";
}
