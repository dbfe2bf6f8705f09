namespace Compliance.Deadlines;

/// <summary>What the statutory deadline of a request depends on; dates are UK calendar days.</summary>
/// <param name="ReceivedOn">The day the request was received, working day or not.</param>
/// <param name="IdentityConfirmedOn">The day the requester's identity was confirmed, where it had to be (Art. 12A); the clock starts then.</param>
/// <param name="Pauses">Clarification pauses, in any order; an absent list means none.</param>
/// <param name="Extended">Whether the deadline was extended by two further months (Art. 12(3)).</param>
public sealed record DeadlineInput(
    DateOnly ReceivedOn,
    DateOnly? IdentityConfirmedOn = null,
    IReadOnlyList<ClockPause>? Pauses = null,
    bool Extended = false)
{
    // Deserialised inputs may carry no list; the calculator should not have to care.
    public IReadOnlyList<ClockPause> Pauses { get; init; } = Pauses ?? [];
}

/// <summary>The clock stopped for clarification: sent on <paramref name="From"/>, answered on <paramref name="To"/> (null while unanswered).</summary>
/// <param name="From">The day clarification was asked for; the clock stops.</param>
/// <param name="To">The day the answer was received; the clock restarts. Null while the pause is still open.</param>
public sealed record ClockPause(DateOnly From, DateOnly? To = null);

/// <summary>A request's statutory deadline and, line by line, why it is that date.</summary>
/// <param name="ClockStart">Day one: the day of receipt, or of identity confirmation.</param>
/// <param name="DueDate">The day the response is due; null while a clarification pause is open.</param>
/// <param name="PausedDays">Days added for clarification pauses that have ended.</param>
/// <param name="Extended">Whether the three-month period applied.</param>
/// <param name="Derivation">The steps from the clock start to the due date, in the wording of docs/deadlines.md.</param>
public sealed record Deadline(
    DateOnly ClockStart,
    DateOnly? DueDate,
    int PausedDays,
    bool Extended,
    IReadOnlyList<string> Derivation);
