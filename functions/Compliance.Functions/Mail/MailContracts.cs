namespace Compliance.Functions.Mail;

/// <summary>The input of a message's intake work: its key, which is also the instance id.</summary>
public sealed record MailIntakeInput(string IntakeKey);

/// <summary>
/// What intake will do with a message, as the orchestration may hold it: codes, types and ids, never an address, a name or
/// text. <see cref="Action"/> is one of <see cref="MailIntakeAction"/>.
/// </summary>
/// <remarks>
/// For a classified message, <see cref="Rules"/> are the rule ids that decided it (<c>ClassificationPhrase.Id</c>: the rules'
/// words, never the message's), <see cref="Why"/> why it needs triage and <see cref="Offered"/> the types found, for the task.
/// </remarks>
public sealed record MailIntakePlan(
    string Action,
    string Reason,
    string? RequestId,
    IReadOnlyList<string> Types,
    DateTimeOffset ReceivedAt,
    string? Why = null,
    IReadOnlyList<string>? Offered = null,
    IReadOnlyList<string>? Rules = null);

/// <summary>A step of a message's intake work.</summary>
public sealed record MailStepInput(string IntakeKey, string Reason, DateTimeOffset At);

/// <summary>Makes request <paramref name="Index"/> of a message, of <paramref name="Type"/>.</summary>
public sealed record MailRequestInput(string IntakeKey, string Type, int Index, DateTimeOffset At, IReadOnlyList<string>? Rules = null);

/// <summary>Creates a staff task of <paramref name="Kind"/> for a message (naming <paramref name="RequestId"/> when it is a reply to one).</summary>
public sealed record MailTaskInput(string IntakeKey, string Kind, string? RequestId, DateTimeOffset At, string? Reason = null, IReadOnlyList<string>? Suggested = null, IReadOnlyList<string>? Rules = null);

/// <summary>Hands a reply to its request.</summary>
public sealed record MailReplyInput(string IntakeKey, string RequestId, DateTimeOffset At);

/// <summary>What a reply did: <see cref="Outcome"/> is one of <see cref="MailReplyOutcome"/>; <see cref="ActionId"/> names a resume.</summary>
public sealed record MailReplyResult(string Outcome, DateTimeOffset At, string? ActionId = null);

/// <summary>The output of a message's intake work.</summary>
public sealed record MailIntakeResult(string IntakeKey, string Action, string Reason, IReadOnlyList<string> RequestIds);

/// <summary>The actions of <see cref="MailIntakePlan"/>.</summary>
public static class MailIntakeAction
{
    public const string Quarantine = "quarantine";
    public const string Ignore = "ignore";
    public const string Reply = "reply";
    public const string NewRequests = "new-requests";
    public const string Triage = "triage";
}

/// <summary>The outcomes of <see cref="MailReplyResult"/>.</summary>
public static class MailReplyOutcome
{
    /// <summary>The reply's code verified the requester: the request's workflow is told.</summary>
    public const string Verified = "verified";

    /// <summary>The reply's code confirmed a rectification's new address.</summary>
    public const string AddressConfirmed = "address-confirmed";

    /// <summary>The reply answers a clarification: the clock resumes.</summary>
    public const string Resumed = "resumed";

    /// <summary>Anything else: a note on the request and a task for staff.</summary>
    public const string Noted = "noted";
}
