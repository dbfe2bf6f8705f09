namespace Compliance.Requests;

/// <summary>
/// A data-subject request as recorded at receipt. The requester's email, name and details are personal data:
/// they live here, in the requests table, and travel only into emails, never into orchestration state or logs.
/// </summary>
public sealed record DataSubjectRequestRecord
{
    public required string RequestId { get; init; }
    public required string StudyId { get; init; }
    public required string Type { get; init; }
    public required string Channel { get; init; }
    public required DateTimeOffset ReceivedAt { get; init; }
    public required string Status { get; init; }
    public required string RequesterEmail { get; init; }
    public string? RequesterName { get; init; }
    public string? ParticipantRef { get; init; }
    public string? Details { get; init; }

    /// <summary>Staff confirmed the requester's identity by other means when entering the request.</summary>
    public bool IdentityConfirmed { get; init; }

    /// <summary>Who entered it: the staff principal's id, or <c>participant</c> for a request made by the requester.</summary>
    public required string EnteredBy { get; init; }

    public DateTimeOffset? ClockStartedAt { get; init; }
    public DateOnly? DueDate { get; init; }
    public IReadOnlyList<string> DueDateDerivation { get; init; } = [];
    public DateOnly? ExtendedTo { get; init; }

    /// <summary>Whether the deadline was extended; <see cref="ExtendedTo"/> is its date once one is known (not while paused).</summary>
    public bool Extended { get; init; }
    public int PausedDays { get; init; }
    public string? Outcome { get; init; }

    /// <summary>The participant the requester's address matched (by the address held for them), if any.</summary>
    public string? ParticipantId { get; init; }

    /// <summary>How identity is being verified (<see cref="Requests.VerificationMode"/>).</summary>
    public string? VerificationMode { get; init; }

    /// <summary>For a duplicate: the open request it was linked to.</summary>
    public string? DuplicateOf { get; init; }

    /// <summary>When the requester proved their identity with a code.</summary>
    public DateTimeOffset? VerifiedAt { get; init; }

    /// <summary>Clarification pauses of the clock, oldest first; the last may still be open.</summary>
    public IReadOnlyList<Deadlines.ClockPause> Pauses { get; init; } = [];

    /// <summary>The DPO's decision, once made.</summary>
    public RequestDecision? Decision { get; init; }

    /// <summary>For <c>rectify-contact</c>: the contact details as the requester wants them.</summary>
    public ContactCorrection? RequestedChange { get; init; }

    /// <summary>The workflow step that failed its retries and waits to be tried again; null while the workflow runs well.</summary>
    public RequestStall? Stall { get; init; }

    /// <summary>Whether the clock is stopped for clarification.</summary>
    public bool IsPaused => Pauses.Count > 0 && Pauses[^1].To is null;
}

/// <summary>New contact details a participant asked for; null fields stay as they are.</summary>
public sealed record ContactCorrection(string? Name, string? Email, string? Phone)
{
    public bool IsEmpty => Name is null && Email is null && Phone is null;

    /// <summary>The longest phone number taken.</summary>
    public const int MaxPhoneLength = 32;

    /// <summary>Whether <paramref name="phone"/> reads as a phone number: digits, spaces, '+', '-' and brackets, with a digit.</summary>
    public static bool IsPhoneNumber(string phone) =>
        phone is { Length: > 0 and <= MaxPhoneLength } && phone.Any(char.IsAsciiDigit) && phone.All(c => char.IsAsciiDigit(c) || c is ' ' or '+' or '-' or '(' or ')');
}
