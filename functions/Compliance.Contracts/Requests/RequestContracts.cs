namespace Compliance.Requests;

/// <summary>A decision on a request (approve or refuse): who reviewed it, when, and on what ground.</summary>
public sealed record RequestDecision(string Decision, string Reviewer, DateTimeOffset DecidedAt, string? Exemption, string? Reason)
{
    public const string Approved = "approved";
    public const string Refused = "refused";
}

/// <summary>
/// A workflow step that failed after its retries (storage or mail down for longer than they last): the workflow waits, tries it
/// again by itself every <see cref="RetryEvery"/>, and at once when the DPO asks (<see cref="RequestAction.Retry"/>).
/// </summary>
/// <param name="Step">The step, by its activity's name (<c>AcknowledgeRequest</c>, <c>DeliverAccess</c>, …).</param>
/// <param name="Since">When it first failed.</param>
/// <param name="Error">The kind of error (an exception type name: never its message, which may carry personal data).</param>
/// <param name="Failures">How many times in a row the step has failed its retries.</param>
public sealed record RequestStall(string Step, DateTimeOffset Since, string Error, int Failures)
{
    /// <summary>How long a stalled workflow waits before it tries the step again by itself.</summary>
    public static TimeSpan RetryEvery { get; } = TimeSpan.FromHours(1);
}

/// <summary>One step in a request's life, as shown in its <c>history</c>.</summary>
/// <param name="At">When it happened.</param>
/// <param name="Event">What happened, e.g. <c>received</c> or <c>acknowledged</c>.</param>
/// <param name="Status">The request's status after it.</param>
/// <param name="Actor">Who did it: a staff principal id, <c>participant</c> or <c>system</c>.</param>
public sealed record RequestHistoryEntry(DateTimeOffset At, string Event, string Status, string Actor);

/// <summary>The answer to <c>POST /api/requests</c>.</summary>
public sealed record SubmitRequestResponse(string RequestId, string Status, string StatusUrl);

/// <summary>
/// The answer to <c>GET /api/requests/{id}</c>: the fields of PRODUCT.md, and no contact details; <c>dueState</c> says where it
/// stands against its due date (<see cref="Compliance.Requests.DueState"/>, null once closed), <c>allowedActions</c> the DPO's
/// actions (<see cref="RequestAction"/>) it takes now, by the request model's own rules.
/// </summary>
public sealed record RequestView(
    string RequestId,
    string StudyId,
    string Type,
    string Status,
    string Channel,
    DateTimeOffset ReceivedAt,
    DateTimeOffset? ClockStartedAt,
    DateOnly? DueDate,
    IReadOnlyList<string> DueDateDerivation,
    DateOnly? ExtendedTo,
    int PausedDays,
    string? Outcome,
    IReadOnlyList<RequestHistoryEntry> History,
    string? DuplicateOf = null,
    bool Paused = false,
    RequestDecision? Decision = null,
    string? DueState = null,
    IReadOnlyList<string>? AllowedActions = null,
    RequestStall? Stall = null);

/// <summary>A request in <c>GET /api/requests</c>: where it stands and when it is due.</summary>
public sealed record RequestSummary(
    string RequestId,
    string StudyId,
    string Type,
    string Status,
    string Channel,
    DateTimeOffset ReceivedAt,
    DateOnly? DueDate,
    DateOnly? ExtendedTo,
    bool Paused,
    string? Outcome,
    string? DueState = null,
    string? StalledStep = null);

/// <summary>
/// One page of <c>GET /api/requests</c>. <paramref name="Continuation"/> is opaque: send it back as <c>continuation</c> with
/// the same filters for the next page; null on the last page.
/// </summary>
public sealed record RequestPage(IReadOnlyList<RequestSummary> Requests, string? Continuation);

/// <summary>The answer to a DPO action (<c>POST /api/requests/{id}/{action}</c>).</summary>
public sealed record RequestActionResponse(string RequestId, string Action, string ActionId, string Status);

/// <summary>Where an open request stands against its due date: the work queue's red, amber and green.</summary>
public static class DueState
{
    /// <summary>The due date (or the extended one) has passed.</summary>
    public const string Overdue = "overdue";

    /// <summary>Due within <see cref="SoonWorkingDays"/> working days.</summary>
    public const string DueSoon = "due-soon";

    /// <summary>Due later than that.</summary>
    public const string OnTime = "on-time";

    /// <summary>How many working days ahead a due date counts as soon.</summary>
    public const int SoonWorkingDays = 5;

    public static IReadOnlyList<string> All { get; } = [Overdue, DueSoon, OnTime];
}
