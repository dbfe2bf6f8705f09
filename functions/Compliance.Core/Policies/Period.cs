using System.Globalization;
using System.Text.RegularExpressions;

namespace Compliance.Policies;

/// <summary>The unit of a <see cref="Period"/>.</summary>
public enum PeriodUnit
{
    Days,
    Weeks,
    Months,

    // Shorter units are for operational values (and tests that cannot wait days); a notice speaks in days and months.
    Seconds,
    Minutes,
    Hours,
}

/// <summary>
/// A length of time as a privacy notice states it: "10 days", "3 months", "12 months", "1 week". Months are calendar months
/// (the corresponding date, or the last day of a shorter month), as the notice and the law mean them, not 30 days.
/// </summary>
public readonly partial record struct Period(int Count, PeriodUnit Unit)
{
    /// <summary>Whether the period is shorter than a day's unit (seconds, minutes, hours).</summary>
    public bool IsSubDay => Unit is PeriodUnit.Seconds or PeriodUnit.Minutes or PeriodUnit.Hours;

    /// <summary>The date <see cref="Count"/> units after <paramref name="date"/>; a period of hours or less counts as the same day.</summary>
    public DateOnly AddTo(DateOnly date) => Unit switch
    {
        PeriodUnit.Days => date.AddDays(Count),
        PeriodUnit.Weeks => date.AddDays(7 * Count),
        PeriodUnit.Months => date.AddMonths(Count),
        _ => DateOnly.FromDateTime(date.ToDateTime(TimeOnly.MinValue) + ToTimeSpan()),
    };

    /// <summary>The moment <see cref="Count"/> units after <paramref name="moment"/> (calendar months for months).</summary>
    public DateTime AddTo(DateTime moment) => Unit == PeriodUnit.Months ? moment.AddMonths(Count) : moment + ToTimeSpan();

    /// <summary>The moment <see cref="Count"/> units before <paramref name="moment"/> (calendar months for months).</summary>
    public DateTime SubtractFrom(DateTime moment) => Unit == PeriodUnit.Months ? moment.AddMonths(-Count) : moment - ToTimeSpan();

    /// <summary>The date <see cref="Count"/> units before <paramref name="date"/>.</summary>
    public DateOnly SubtractFrom(DateOnly date) => Unit switch
    {
        PeriodUnit.Days => date.AddDays(-Count),
        PeriodUnit.Weeks => date.AddDays(-7 * Count),
        PeriodUnit.Months => date.AddMonths(-Count),
        _ => DateOnly.FromDateTime(date.ToDateTime(TimeOnly.MinValue) - ToTimeSpan()),
    };

    /// <summary>The period as a fixed duration; only for days and weeks, where it is one.</summary>
    public TimeSpan ToTimeSpan() => Unit switch
    {
        PeriodUnit.Seconds => TimeSpan.FromSeconds(Count),
        PeriodUnit.Minutes => TimeSpan.FromMinutes(Count),
        PeriodUnit.Hours => TimeSpan.FromHours(Count),
        PeriodUnit.Days => TimeSpan.FromDays(Count),
        PeriodUnit.Weeks => TimeSpan.FromDays(7 * Count),
        _ => throw new InvalidOperationException($"'{this}' is in calendar months, which have no fixed length; use AddTo."),
    };

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Count} {(Count == 1 ? Unit.ToString().ToLowerInvariant().TrimEnd('s') : Unit.ToString().ToLowerInvariant())}");

    /// <summary>Reads "N day(s)", "N week(s)", "N month(s)" (or seconds, minutes, hours) with N from 0 to 1200.</summary>
    public static bool TryParse(string? text, out Period period)
    {
        period = default;
        if (text is null)
        {
            return false;
        }

        var match = Pattern().Match(text.Trim());
        if (!match.Success || !int.TryParse(match.Groups["n"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count > 1200)
        {
            return false;
        }

        var unit = match.Groups["unit"].Value.ToLowerInvariant() switch
        {
            "day" or "days" => PeriodUnit.Days,
            "week" or "weeks" => PeriodUnit.Weeks,
            "second" or "seconds" => PeriodUnit.Seconds,
            "minute" or "minutes" => PeriodUnit.Minutes,
            "hour" or "hours" => PeriodUnit.Hours,
            _ => PeriodUnit.Months,
        };
        period = new Period(count, unit);
        return true;
    }

    [GeneratedRegex("^(?<n>[0-9]{1,4}) +(?<unit>days?|weeks?|months?|seconds?|minutes?|hours?)\\z", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex Pattern();
}
