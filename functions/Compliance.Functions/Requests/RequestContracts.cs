using Compliance.Policies;

namespace Compliance.Functions.Requests;

// Wire contracts of the DataSubjectRequest orchestration. In-flight instances deserialize these on replay, so change them
// only by adding optional members. They carry ids, codes, times and policy periods only: never a name, an email address,
// a verification code or free text.

/// <summary>The input of a <c>DataSubjectRequest</c> orchestration.</summary>
public sealed record RequestWorkflowInput(string RequestId);

/// <summary>The output of a <c>DataSubjectRequest</c> orchestration.</summary>
public sealed record RequestWorkflowResult(string RequestId, string Status);

/// <summary>
/// The custom status of a running <c>DataSubjectRequest</c> orchestration: the step it is at and, while one of its activities
/// is in flight, which (<paramref name="Activity"/>) and the workflow's running count of activity calls (<paramref name="Call"/>),
/// so the watchdog can tell a workflow waiting for an activity from one waiting for a person or a timer.
/// </summary>
public sealed record RequestWorkflowStatus(string Step, string? Activity = null, int? Call = null);

/// <summary>A step of a request at the orchestration's time (for history entries and email dates).</summary>
public sealed record RequestStepInput(string RequestId, DateTimeOffset At);

/// <summary>The input of <c>AcknowledgeRequest</c>: which request, and the orchestration's time for the history entry.</summary>
public sealed record AcknowledgeRequestInput(string RequestId, DateTimeOffset At);

/// <summary>The output of <c>AcknowledgeRequest</c>: where the acknowledgement is, and whether this attempt wrote it.</summary>
public sealed record AcknowledgeRequestResult(string OutboxBlobName, bool Written);

/// <summary>
/// What <c>PrepareRequest</c> decided: how identity is verified, the study policy's periods for it, and the open request this
/// one repeats (<paramref name="DuplicateOf"/>, null for a request of its own).
/// </summary>
public sealed record RequestPlan(
    string VerificationMode,
    DateTimeOffset ReceivedAt,
    Period CodeValidFor,
    Period ReminderAfter,
    Period CloseUnverifiedAfter,
    string? RequestType = null,
    string? DuplicateOf = null);

/// <summary>The input of <c>SendVerificationCode</c>: the <paramref name="Sequence"/>th code of the request.</summary>
public sealed record VerificationCodeInput(string RequestId, int Sequence, DateTimeOffset At);

/// <summary>The event raised when the requester enters the right code.</summary>
public sealed record IdentityVerifiedEvent(DateTimeOffset VerifiedAt);

/// <summary>The input of <c>StartClock</c>: when the clock starts (receipt, or identity confirmation).</summary>
public sealed record StartClockInput(string RequestId, DateTimeOffset ClockStartAt, bool IdentityHadToBeConfirmed, DateTimeOffset At);

/// <summary>The output of <c>StartClock</c>.</summary>
public sealed record StartClockResult(DateOnly ClockStart, DateOnly? DueDate, IReadOnlyList<Period>? RemindBefore = null, Period? EscalateEvery = null);

/// <summary>The input of <c>CreateTask</c>: a manual task of <paramref name="Kind"/> for the request, due at <paramref name="DueAt"/>.</summary>
public sealed record CreateTaskInput(string RequestId, string Kind, DateTimeOffset DueAt, DateTimeOffset At);

/// <summary>The event raised when a person completes a manual task of the request.</summary>
public sealed record TaskCompletedEvent(string TaskId, string Outcome, DateTimeOffset CompletedAt);

/// <summary>Names of the external events the orchestration waits for.</summary>
public static class RequestEvents
{
    public const string IdentityVerified = "IdentityVerified";

    /// <summary>The DPO acted on the request (<see cref="RequestActionEvent"/>).</summary>
    public const string Action = "RequestAction";

    /// <summary>The requester confirmed a new email address (<see cref="AddressConfirmedEvent"/>).</summary>
    public const string AddressConfirmed = "AddressConfirmed";

    /// <summary>The DPO asked for the failed step to be run again (<see cref="RetryStepEvent"/>).</summary>
    public const string RetryStep = "RetryStep";

    /// <summary>The watchdog found the workflow waiting for an activity that never ran (<see cref="ResendStepEvent"/>).</summary>
    public const string ResendStep = "ResendStep";

    /// <summary>The event of a completed task of <paramref name="kind"/>; one name per kind, so a workflow waits for the one it needs.</summary>
    public static string TaskCompleted(string kind) => $"TaskCompleted:{kind}";
}

/// <summary>The event raised when the DPO acts on a request; the action's words are stored beside the request, not here.</summary>
public sealed record RequestActionEvent(string ActionId, string Action, DateTimeOffset At);

/// <summary>
/// The event the watchdog raises when the workflow's activity call <paramref name="Call"/> has been in flight with no step for
/// longer than a step takes: the engine lost the message that would have run it, and the workflow schedules it again.
/// </summary>
public sealed record ResendStepEvent(int Call);

/// <summary>The event raised when the DPO asks a stalled workflow to run its failed step again; the action is stored beside the request.</summary>
public sealed record RetryStepEvent(string ActionId, DateTimeOffset At);

/// <summary>
/// The input of <c>RecordStall</c> and <c>RecoverStall</c>: the <paramref name="Stall"/>th stall of the workflow, on
/// <paramref name="Step"/>, after its <paramref name="Failures"/>th failed round of retries; <paramref name="Error"/> is the
/// error's type name only; <paramref name="RetryActionId"/> the DPO's retry that ended it, if one did.
/// </summary>
public sealed record RequestStallInput(string RequestId, string Step, string? Error, int Stall, int Failures, DateTimeOffset At, string? RetryActionId = null);

/// <summary>The input of <c>ApplyRequestAction</c>: the stored action to carry out.</summary>
public sealed record RequestActionInput(string RequestId, string ActionId, DateTimeOffset At);

/// <summary>What <c>ApplyRequestAction</c> did, and the clock as it now stands.</summary>
/// <param name="Action">The action's kind (<c>approve</c>, <c>clarify</c>, …).</param>
/// <param name="Applied">False when the action no longer fitted (say, a second extension); the DPO sees why in the history.</param>
/// <param name="DueDate">The due date now; null while the clock is paused.</param>
/// <param name="Paused">Whether the clock is stopped for clarification.</param>
/// <param name="Decision">The decision on the request, once there is one (<c>approved</c>, <c>refused</c>).</param>
public sealed record RequestActionResult(string Action, bool Applied, DateOnly? DueDate, bool Paused, string? Decision);

/// <summary>The input of <c>RemindDpo</c>: a reminder before the due date, or an escalation after it, once per key.</summary>
public sealed record DeadlineAlarmInput(string RequestId, string Kind, string Key, DateOnly DueDate, DateTimeOffset At);

/// <summary>The input of <c>SendOutcome</c>: the outcome email of <paramref name="Kind"/>, and whether the request closes with it.</summary>
public sealed record OutcomeInput(string RequestId, string Kind, bool Close, DateTimeOffset At);

/// <summary>The output of <c>CheckParticipant</c>: whether the request is linked to a participant, so there is data to act on.</summary>
public sealed record ParticipantCheck(bool HasParticipant);

/// <summary>The output of <c>CheckAccessReadiness</c>: when the transcript may be given, and which sessions have none yet.</summary>
public sealed record AccessReadiness(DateTimeOffset AvailableAt, IReadOnlyList<string> SessionsWithoutTranscript);

/// <summary>The output of <c>CheckWithdrawal</c>: whether the withdrawal can be carried out (else it was refused with the reason).</summary>
public sealed record WithdrawalCheck(bool Eligible);

/// <summary>The output of <c>DeleteResearchData</c>: counts only, and whether shared focus-group material needs redaction.</summary>
public sealed record ResearchDataDeletion(int Deleted, int KeptForRedaction);

/// <summary>The output of <c>NotifySuppliers</c>: whether a supplier was told and its confirmation is awaited.</summary>
public sealed record SupplierNotice(bool Notified, DateTimeOffset? ConfirmBy = null);

/// <summary>The output of <c>RequestAddressConfirmation</c>: whether a code went to a new address, and how long it works.</summary>
public sealed record AddressConfirmationPlan(bool Sent, Period CodeValidFor);

/// <summary>The event raised when the requester confirms a new email address with its code.</summary>
public sealed record AddressConfirmedEvent(DateTimeOffset ConfirmedAt);

/// <summary>The input of <c>UpdateContact</c>: whether the new email address was confirmed and may replace the old one.</summary>
public sealed record UpdateContactInput(string RequestId, bool EmailConfirmed, DateTimeOffset At);

/// <summary>The input of <c>NotifySuppliers</c>: what the supplier is asked to delete (<c>session-material</c> or <c>contact-details</c>).</summary>
public sealed record SupplierNoticeInput(string RequestId, string Scope, DateTimeOffset At);
