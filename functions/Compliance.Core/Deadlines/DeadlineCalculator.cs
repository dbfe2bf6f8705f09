using System.Globalization;

namespace Compliance.Deadlines;

/// <summary>
/// The statutory deadline of a data-subject request (UK GDPR Art. 12(3) and 12A, as the ICO explains them), with its
/// derivation. The steps, their order and the wording of each line are those of docs/deadlines.md.
/// </summary>
/// <remarks>Pure: every date comes from the input, so the same input always gives the same deadline, in an orchestrator too.</remarks>
public sealed class DeadlineCalculator(EnglandAndWalesBankHolidays holidays)
{
    private const int OneMonth = 1;
    private const int ExtendedMonths = 3;

    /// <summary>The due date of a request, or none while a clarification pause is open, and the derivation of either.</summary>
    /// <exception cref="ArgumentException">Identity confirmed before receipt, or pauses that end before they start, overlap, or start before the clock.</exception>
    public Deadline Calculate(DeadlineInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var derivation = new List<string>();
        DateOnly clockStart;
        if (input.IdentityConfirmedOn is { } confirmed)
        {
            if (confirmed < input.ReceivedOn)
            {
                throw new ArgumentException(
                    $"Identity confirmed on {Iso(confirmed)}, before the request was received on {Iso(input.ReceivedOn)}.", nameof(input));
            }

            clockStart = confirmed;
            derivation.Add($"received {Iso(input.ReceivedOn)}");
            derivation.Add($"clock started on identity confirmation {Iso(confirmed)} (day one)");
        }
        else
        {
            clockStart = input.ReceivedOn;
            derivation.Add($"received {Iso(input.ReceivedOn)} (clock starts: day one)");
        }

        var pauses = Checked(input.Pauses, clockStart, nameof(input));
        var months = input.Extended ? ExtendedMonths : OneMonth;
        var (dueDate, pausedDays) = Run(clockStart, months, pauses, input.Extended ? "extended: three months" : "one month", derivation);
        return new Deadline(clockStart, dueDate, pausedDays, input.Extended, derivation);
    }

    /// <summary>
    /// The last day of the first month: the due date the request would have without an extension (pauses within it
    /// added, rolled to a working day). An extension has to be decided, and the requester told, by then. Null while a
    /// pause that began within the first month is open.
    /// </summary>
    /// <exception cref="ArgumentException">Pauses that end before they start, overlap, or start before the clock.</exception>
    public DateOnly? FirstMonthEnd(DateOnly clockStart, IReadOnlyList<ClockPause> pauses) =>
        Run(clockStart, OneMonth, Checked(pauses, clockStart, nameof(pauses)), "one month", []).DueDate;

    /// <summary>
    /// Whether <paramref name="today"/> is still within the first month (on or before <see cref="FirstMonthEnd"/>),
    /// taking the pauses as they stood on <paramref name="today"/>: an open one counts as ending today, the least it can be.
    /// </summary>
    /// <exception cref="ArgumentException">Today before the clock start, or pauses that end before they start, overlap, or start before the clock.</exception>
    public bool IsWithinFirstMonth(DateOnly clockStart, DateOnly today, IReadOnlyList<ClockPause> pauses)
    {
        var checkedPauses = Checked(pauses, clockStart, nameof(pauses));
        if (today < clockStart)
        {
            throw new ArgumentException($"Today ({Iso(today)}) is before the clock start {Iso(clockStart)}.", nameof(today));
        }

        var known = checkedPauses
            .Where(p => p.From <= today)
            .Select(p => p.To is { } to && to <= today ? p : p with { To = today })
            .ToList();
        var end = Run(clockStart, OneMonth, known, "one month", []).DueDate
            ?? throw new InvalidOperationException("A pause closed on today left no first-month end.");
        return today <= end;
    }

    // Clock start → +months (corresponding date, else last day of the month) → + paused days → next working day.
    private (DateOnly? DueDate, int PausedDays) Run(DateOnly clockStart, int months, IReadOnlyList<ClockPause> pauses, string step, List<string> derivation)
    {
        var end = clockStart.AddMonths(months);
        derivation.Add(end.Day == clockStart.Day
            ? $"{step} → {Iso(end)}"
            : string.Create(CultureInfo.InvariantCulture, $"{step} → {Iso(end)} (no {clockStart.Day} {MonthName(end)}: last day of the month)"));

        var pausedDays = 0;
        foreach (var pause in pauses)
        {
            // A clarification asked for after the period ran out cannot give back time already lost.
            if (pause.From > end)
            {
                derivation.Add($"{Describe(pause)} after the period ended on {Iso(end)}: not counted");
                continue;
            }

            if (pause.To is not { } to)
            {
                derivation.Add($"clock paused since {Iso(pause.From)}: no due date until the answer restarts it");
                return (null, pausedDays);
            }

            var days = to.DayNumber - pause.From.DayNumber;
            pausedDays += days;
            end = end.AddDays(days);
            derivation.Add($"{Describe(pause)} → {Iso(end)}");
        }

        while (!holidays.IsWorkingDay(end))
        {
            derivation.Add(holidays.IsBankHoliday(end, out var name)
                ? $"{Iso(end)} is {name} (bank holiday)"
                : $"{Iso(end)} is a {end.ToString("dddd", CultureInfo.InvariantCulture)}");
            end = end.AddDays(1);
        }

        derivation.Add($"due {Iso(end)}");
        return (end, pausedDays);
    }

    private static List<ClockPause> Checked(IReadOnlyList<ClockPause> pauses, DateOnly clockStart, string parameter)
    {
        ArgumentNullException.ThrowIfNull(pauses, parameter);
        if (pauses.Any(p => p is null))
        {
            throw new ArgumentException("A pause is null.", parameter);
        }

        var sorted = pauses.OrderBy(p => p.From).ThenBy(p => p.To ?? DateOnly.MaxValue).ToList();
        foreach (var pause in sorted)
        {
            if (pause.To < pause.From)
            {
                throw new ArgumentException($"The pause {Range(pause)} ends before it starts.", parameter);
            }

            if (pause.From < clockStart)
            {
                throw new ArgumentException($"The pause {Range(pause)} starts before the clock start {Iso(clockStart)}.", parameter);
            }
        }

        // Pauses may touch (an answer and a new question on the same day) but not overlap; an open one must be the last.
        for (var i = 1; i < sorted.Count; i++)
        {
            var (before, after) = (sorted[i - 1], sorted[i]);
            if (before.To is not { } end || after.From < end)
            {
                throw new ArgumentException($"The pauses {Range(before)} and {Range(after)} overlap.", parameter);
            }
        }

        return sorted;
    }

    private static string Describe(ClockPause pause) => pause.To is { } to
        ? $"paused {Iso(pause.From)} to {Iso(to)} ({Days(to.DayNumber - pause.From.DayNumber)})"
        : $"paused since {Iso(pause.From)}";

    private static string Range(ClockPause pause) =>
        pause.To is { } to ? $"{Iso(pause.From)} to {Iso(to)}" : $"{Iso(pause.From)} (still open)";

    private static string Days(int days) => days == 1 ? "1 day" : string.Create(CultureInfo.InvariantCulture, $"{days} days");

    private static string MonthName(DateOnly date) => date.ToString("MMMM", CultureInfo.InvariantCulture);

    private static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
