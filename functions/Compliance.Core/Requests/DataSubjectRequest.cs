using Compliance.Deadlines;

namespace Compliance.Requests;

/// <summary>
/// A data-subject request as a model: it owns its status, its clock (start, pauses, extension, due date) and its decision,
/// and every change to them is one of its methods. A DPO action is one method that both decides whether the action fits the
/// request as it stands and applies it, so the route (which answers the DPO at once) and the workflow's activity (which carries
/// the action out) ask the same question and get the same answer. <see cref="RequestStore"/> loads it and saves what changed.
/// </summary>
/// <remarks>Pure: no I/O and no clock of its own; times come in as arguments, the deadline rules from <see cref="DeadlineCalculator"/>.</remarks>
public sealed class DataSubjectRequest
{
    private DataSubjectRequest(DataSubjectRequestRecord state)
    {
        Loaded = state;
        State = state;
    }

    /// <summary>The request as it stands, with the changes made to it since it was loaded.</summary>
    public DataSubjectRequestRecord State { get; private set; }

    /// <summary>The request as it was loaded; the store writes only what differs from it.</summary>
    public DataSubjectRequestRecord Loaded { get; }

    public string Id => State.RequestId;

    /// <summary>Where the request stands; its stored name is <see cref="DataSubjectRequestRecord.Status"/>.</summary>
    public RequestState Status => RequestStatus.StateOf(State.Status);

    /// <summary>What was asked for; its stored name is <see cref="DataSubjectRequestRecord.Type"/>.</summary>
    public RequestKind Type => RequestType.KindOf(State.Type);

    public bool IsOpen => RequestStatus.IsOpen(State.Status);

    /// <summary>Whether the deadline was extended (Art. 12(3)); it stays extended through later pauses.</summary>
    public bool IsExtended => State.Extended || State.ExtendedTo is not null;

    public static DataSubjectRequest From(DataSubjectRequestRecord state) =>
        new(state ?? throw new ArgumentNullException(nameof(state)));

    /// <summary>The request loaded as <paramref name="state"/>, with one of its steps (<paramref name="step"/>) applied.</summary>
    public static DataSubjectRequest From(DataSubjectRequestRecord state, Action<DataSubjectRequest> step)
    {
        ArgumentNullException.ThrowIfNull(step);
        var request = From(state);
        step(request);
        return request;
    }

    // ---- The workflow's steps ----

    /// <summary>
    /// Links the participant the requester's address matched (if any), records how identity will be verified, and the open
    /// request of theirs this one repeats (<paramref name="duplicateOf"/>), which <see cref="LinkAsDuplicate"/> then closes it into.
    /// </summary>
    public void Prepare(string? participantId, string verificationMode, string? duplicateOf = null) =>
        State = State with { ParticipantId = participantId, VerificationMode = verificationMode, DuplicateOf = duplicateOf };

    public void Acknowledge() => MoveTo(RequestState.Acknowledged);

    /// <summary>A code went to the held address; the request waits for it.</summary>
    public void AwaitCode() => MoveTo(RequestState.AwaitingVerification);

    /// <summary>The requester was asked for details only a participant would know; the DPO checks them.</summary>
    public void AwaitIdentityCheck() => MoveTo(RequestState.AwaitingIdentityCheck);

    /// <summary>The DPO matched the requester to a participant while checking their identity.</summary>
    public void LinkParticipant(string participantId) =>
        State = State with { ParticipantId = participantId, Status = RequestStatus.WireName(RequestState.AwaitingIdentityCheck) };

    /// <summary>The requester never proved their identity: the request closes unanswered.</summary>
    public void CloseUnverified() => MoveTo(RequestState.ClosedUnverified);

    /// <summary>The request repeats an open one and was linked to it.</summary>
    public void LinkAsDuplicate() => MoveTo(RequestState.Duplicate);

    /// <summary>A rectification's new address was sent a code; the request waits for it.</summary>
    public void AwaitAddressConfirmation() => MoveTo(RequestState.AwaitingAddressConfirmation);

    /// <summary>The work goes on (after a rectification's address step).</summary>
    public void ContinueWork() => MoveTo(RequestState.InProgress);

    /// <summary>
    /// Starts the statutory clock at <paramref name="clockStartAt"/> (receipt, or identity confirmation where identity had to
    /// be verified) and computes the due date.
    /// </summary>
    public Deadline StartClock(DateTimeOffset clockStartAt, DeadlineCalculator deadlines)
    {
        State = State with { ClockStartedAt = clockStartAt, Status = RequestStatus.WireName(RequestState.InProgress) };
        return Recalculate(deadlines);
    }

    /// <summary>Closes the request as completed, with its outcome.</summary>
    public void Complete(string outcome) => State = State with { Status = RequestStatus.WireName(RequestState.Completed), Outcome = outcome };

    // ---- The DPO's actions: each decides whether it fits, and applies it ----

    /// <summary>Decides and applies a stored action; null when it was applied, otherwise why not.</summary>
    public ActionRejection? Act(RequestActionRecord action, DeadlineCalculator deadlines)
    {
        ArgumentNullException.ThrowIfNull(action);
        return RequestAction.KindOf(action.Action) switch
        {
            RequestActionKind.Approve => Approve(action.Actor, action.At),
            RequestActionKind.Refuse => Refuse(action.Actor, action.At, action.Exemption, action.Reason),
            RequestActionKind.Extend => Extend(action.At, deadlines),
            RequestActionKind.Clarify => Clarify(action.At, deadlines),
            RequestActionKind.Resume => Resume(action.At, deadlines),
            RequestActionKind.ReissueCode => ReissueCode(),
            RequestActionKind.Note => AddNote(),
            RequestActionKind.Retry => Retry(),
            _ => new ActionRejection("not-an-action", $"There is no action '{action.Action}'."),
        };
    }

    /// <summary>A note fits any request, open or closed: it records, and changes nothing.</summary>
    public static ActionRejection? AddNote() => null;

    /// <summary>Approves the request: it must be open, undecided, and its clock running.</summary>
    public ActionRejection? Approve(string reviewer, DateTimeOffset at)
    {
        if ((Closed() ?? Undecided() ?? ClockRunning()) is { } rejection)
        {
            return rejection;
        }

        State = State with { Decision = new RequestDecision(RequestDecision.Approved, reviewer, at, null, null) };
        return null;
    }

    /// <summary>Refuses the request, with its ground and reason: it must be open and undecided (the clock need not run).</summary>
    public ActionRejection? Refuse(string reviewer, DateTimeOffset at, string? exemption, string? reason)
    {
        if ((Closed() ?? Undecided()) is { } rejection)
        {
            return rejection;
        }

        State = State with
        {
            Decision = new RequestDecision(RequestDecision.Refused, reviewer, at, exemption, reason),
            Status = RequestStatus.WireName(RequestState.Refused),
            Outcome = RequestDecision.Refused,
        };
        return null;
    }

    /// <summary>A new verification code: only while the request waits for one.</summary>
    public ActionRejection? ReissueCode() =>
        Closed() ?? (Status == RequestState.AwaitingVerification
            ? null
            : new ActionRejection("not-awaiting-a-code", "A code can be reissued only while the request waits for one."));

    /// <summary>Running a failed step again: only while the workflow waits on one.</summary>
    public ActionRejection? Retry() =>
        State.Stall is null ? new ActionRejection("not-stalled", "No workflow step has failed: there is nothing to retry.") : null;

    /// <summary>
    /// Records that the workflow step <paramref name="step"/> failed its retries with an error of kind <paramref name="error"/>;
    /// a second failure of the same stall counts, keeping when it began.
    /// </summary>
    public void Stalled(string step, string error, DateTimeOffset at) =>
        State = State with
        {
            Stall = State.Stall is { } stall && stall.Step == step
                ? stall with { Error = error, Failures = stall.Failures + 1 }
                : new RequestStall(step, at, error, 1),
        };

    /// <summary>The stalled step has now run: the workflow goes on.</summary>
    public void Recovered() => State = State with { Stall = null };

    /// <summary>Pauses the clock to ask the requester a question: it must be running and not already paused.</summary>
    public ActionRejection? Clarify(DateTimeOffset at, DeadlineCalculator deadlines)
    {
        if ((Closed() ?? ClockRunning()) is { } rejection)
        {
            return rejection;
        }

        if (State.IsPaused)
        {
            return new ActionRejection("already-paused", "Its clock is already paused for clarification.");
        }

        State = State with { Pauses = [.. State.Pauses, new ClockPause(UkTime.DateOf(at))], Status = RequestStatus.WireName(RequestState.Paused) };
        Recalculate(deadlines);
        return null;
    }

    /// <summary>Restarts a paused clock (the requester answered); the pause ends today, and the due date moves by its length.</summary>
    public ActionRejection? Resume(DateTimeOffset at, DeadlineCalculator deadlines)
    {
        if ((Closed() ?? ClockRunning()) is { } rejection)
        {
            return rejection;
        }

        if (!State.IsPaused)
        {
            return new ActionRejection("not-paused", "Its clock is not paused.");
        }

        var open = State.Pauses[^1];
        var today = UkTime.DateOf(at);
        State = State with
        {
            Pauses = [.. State.Pauses.Take(State.Pauses.Count - 1), open with { To = today < open.From ? open.From : today }],
            Status = RequestStatus.WireName(RequestState.InProgress),
        };
        Recalculate(deadlines);
        return null;
    }

    /// <summary>
    /// Extends the deadline by two further months (Art. 12(3)): once, with the clock started, and only within the first month,
    /// which is when the requester must be told.
    /// </summary>
    public ActionRejection? Extend(DateTimeOffset at, DeadlineCalculator deadlines)
    {
        ArgumentNullException.ThrowIfNull(deadlines);
        if ((Closed() ?? ClockRunning()) is { } rejection)
        {
            return rejection;
        }

        if (IsExtended)
        {
            return new ActionRejection(
                "already-extended",
                State.ExtendedTo is { } to ? $"It was already extended, to {to:yyyy-MM-dd}." : "It was already extended.");
        }

        var clockStart = ClockStart;
        var today = UkTime.DateOf(at);
        if (today >= clockStart && !deadlines.IsWithinFirstMonth(clockStart, today, State.Pauses))
        {
            return new ActionRejection(
                "first-month-passed",
                $"An extension must be decided, and the requester told, within the first month; that ended on {deadlines.FirstMonthEnd(clockStart, State.Pauses):yyyy-MM-dd}.");
        }

        State = State with { Extended = true };
        Recalculate(deadlines);
        return null;
    }

    // ---- The one place the due date is computed ----

    /// <summary>The deadline the request's clock start, pauses and extension give it, written into its state.</summary>
    private Deadline Recalculate(DeadlineCalculator deadlines)
    {
        ArgumentNullException.ThrowIfNull(deadlines);
        var receivedOn = UkTime.DateOf(State.ReceivedAt);
        var identityConfirmedOn = State.VerificationMode is { } mode && mode != VerificationMode.None
            ? (ClockStart < receivedOn ? receivedOn : ClockStart)
            : (ClockStart > receivedOn ? ClockStart : (DateOnly?)null);
        var deadline = deadlines.Calculate(new DeadlineInput(receivedOn, identityConfirmedOn, State.Pauses, IsExtended));
        State = State with
        {
            DueDate = deadline.DueDate,
            DueDateDerivation = deadline.Derivation,
            PausedDays = deadline.PausedDays,
            ExtendedTo = IsExtended && deadline.DueDate is { } due ? due : State.ExtendedTo,
        };
        return deadline;
    }

    private DateOnly ClockStart => UkTime.DateOf(State.ClockStartedAt ?? throw new InvalidOperationException("The clock has not started."));

    private void MoveTo(RequestState status) => State = State with { Status = RequestStatus.WireName(status) };

    private ActionRejection? Closed() =>
        IsOpen ? null : new ActionRejection("closed", $"It is closed ({State.Status}).");

    private ActionRejection? Undecided() =>
        State.Decision is { } decision
            ? new ActionRejection("already-decided", $"It was {decision.Decision} on {decision.DecidedAt:yyyy-MM-dd} by {decision.Reviewer}.")
            : null;

    private ActionRejection? ClockRunning() =>
        State.ClockStartedAt is null
            ? new ActionRejection("clock-not-started", "Its clock has not started: the requester's identity is not yet confirmed.")
            : null;
}

/// <summary>Why an action does not fit a request: a stable code (for the audit log and the action's result) and words for the DPO.</summary>
public sealed record ActionRejection(string Code, string Why);
