using Compliance.Policies;

namespace Compliance.Functions.Requests;

// Wire contracts of the DataSubjectRequest orchestration. In-flight instances deserialize these on replay, so change them
// only by adding optional members. They carry ids, codes, times and policy periods only: never a name, an email address,
// a verification code or free text.

/// <summary>The input of a <c>DataSubjectRequest</c> orchestration.</summary>
public sealed record RequestWorkflowInput(string RequestId);

/// <summary>The output of a <c>DataSubjectRequest</c> orchestration.</summary>
public sealed record RequestWorkflowResult(string RequestId, string Status);

/// <summary>The custom status of a running <c>DataSubjectRequest</c> orchestration: the step it is at.</summary>
public sealed record RequestWorkflowStatus(string Step);

/// <summary>A step of a request at the orchestration's time (for history entries and email dates).</summary>
public sealed record RequestStepInput(string RequestId, DateTimeOffset At);

/// <summary>The input of <c>AcknowledgeRequest</c>: which request, and the orchestration's time for the history entry.</summary>
public sealed record AcknowledgeRequestInput(string RequestId, DateTimeOffset At);

/// <summary>The output of <c>AcknowledgeRequest</c>: where the acknowledgement is, and whether this attempt wrote it.</summary>
public sealed record AcknowledgeRequestResult(string OutboxBlobName, bool Written);

/// <summary>What <c>PrepareRequest</c> decided: how identity is verified, and the study policy's periods for it.</summary>
public sealed record RequestPlan(
    string VerificationMode,
    DateTimeOffset ReceivedAt,
    Period CodeValidFor,
    Period ReminderAfter,
    Period CloseUnverifiedAfter);

/// <summary>The input of <c>SendVerificationCode</c>: the <paramref name="Sequence"/>th code of the request.</summary>
public sealed record VerificationCodeInput(string RequestId, int Sequence, DateTimeOffset At);

/// <summary>The event raised when the requester enters the right code.</summary>
public sealed record IdentityVerifiedEvent(DateTimeOffset VerifiedAt);

/// <summary>The input of <c>StartClock</c>: when the clock starts (receipt, or identity confirmation).</summary>
public sealed record StartClockInput(string RequestId, DateTimeOffset ClockStartAt, bool IdentityHadToBeConfirmed, DateTimeOffset At);

/// <summary>The output of <c>StartClock</c>.</summary>
public sealed record StartClockResult(DateOnly ClockStart, DateOnly? DueDate);

/// <summary>The input of <c>CreateTask</c>: a manual task of <paramref name="Kind"/> for the request, due at <paramref name="DueAt"/>.</summary>
public sealed record CreateTaskInput(string RequestId, string Kind, DateTimeOffset DueAt, DateTimeOffset At);

/// <summary>The event raised when a person completes a manual task of the request.</summary>
public sealed record TaskCompletedEvent(string TaskId, string Outcome, DateTimeOffset CompletedAt);

/// <summary>Names of the external events the orchestration waits for.</summary>
public static class RequestEvents
{
    public const string IdentityVerified = "IdentityVerified";

    /// <summary>The event of a completed task of <paramref name="kind"/>; one name per kind, so a workflow waits for the one it needs.</summary>
    public static string TaskCompleted(string kind) => $"TaskCompleted:{kind}";
}
