using System.Collections.Concurrent;

namespace Compliance.Deadlines;

/// <summary>
/// The bank holidays of England and Wales: the usual ones computed from their rules, with the one-off changes of
/// <c>data/bank-holidays-england-and-wales.json</c> (extra days and moved days) applied on top.
/// </summary>
/// <remarks>
/// A usual holiday that falls at a weekend is replaced by its substitute day, as GOV.UK lists them, so a Saturday
/// Christmas Day is not itself reported as a bank holiday (it is not a working day either way).
/// Scotland and Northern Ireland have other holidays; deadlines here follow England and Wales, where the study runs.
/// </remarks>
public sealed class EnglandAndWalesBankHolidays
{
    /// <summary>
    /// The first year served: the early May bank holiday began in 1978, so the rules below hold from then on.
    /// </summary>
    public const int FirstYear = 1978;

    public const string NewYearsDay = "New Year's Day";
    public const string GoodFriday = "Good Friday";
    public const string EasterMonday = "Easter Monday";
    public const string EarlyMayBankHoliday = "Early May bank holiday";
    public const string SpringBankHoliday = "Spring bank holiday";
    public const string SummerBankHoliday = "Summer bank holiday";
    public const string ChristmasDay = "Christmas Day";
    public const string BoxingDay = "Boxing Day";
    private const string Substitute = " (substitute day)";

    private static readonly Lazy<EnglandAndWalesBankHolidays> Embedded = new(() =>
    {
        using var stream = typeof(EnglandAndWalesBankHolidays).Assembly.GetManifestResourceStream(BankHolidayFile.ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource {BankHolidayFile.ResourceName} is missing from the build.");
        return new EnglandAndWalesBankHolidays(BankHolidayFile.Read(stream, "embedded " + BankHolidayFile.FileName));
    });

    private readonly ConcurrentDictionary<int, YearOfHolidays> years = new();
    private readonly ILookup<int, BankHolidayChange> changesByYear;

    private EnglandAndWalesBankHolidays(IReadOnlyList<BankHolidayChange> changes)
    {
        Changes = changes;
        // A move touches the year it leaves as well as the year it lands in.
        changesByYear = changes
            .SelectMany(c => new[] { c.Date.Year, c.MovedFrom?.Year ?? c.Date.Year }.Distinct(), (change, year) => (Year: year, Change: change))
            .ToLookup(x => x.Year, x => x.Change);
    }

    /// <summary>The holidays with the data file built into this assembly; what the product uses unless told otherwise.</summary>
    public static EnglandAndWalesBankHolidays Default => Embedded.Value;

    /// <summary>The one-off changes applied on top of the usual holidays, in the order of the file.</summary>
    public IReadOnlyList<BankHolidayChange> Changes { get; }

    /// <summary>Loads the one-off changes from a file in the format of <c>data/bank-holidays-england-and-wales.json</c>.</summary>
    /// <exception cref="InvalidDataException">The file is not valid; the message names the entry that is wrong.</exception>
    public static EnglandAndWalesBankHolidays Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var stream = File.OpenRead(path);
        return new EnglandAndWalesBankHolidays(BankHolidayFile.Read(stream, path));
    }

    /// <summary>Reads the one-off changes from JSON text; <paramref name="source"/> names it in error messages.</summary>
    /// <exception cref="InvalidDataException">The text is not valid; the message names the entry that is wrong.</exception>
    public static EnglandAndWalesBankHolidays Parse(string json, string source = "bank holiday data")
    {
        ArgumentNullException.ThrowIfNull(json);
        return new EnglandAndWalesBankHolidays(BankHolidayFile.Read(json, source));
    }

    /// <summary>Whether <paramref name="date"/> is a bank holiday, and if so its name.</summary>
    public bool IsBankHoliday(DateOnly date, out string? name)
    {
        var found = Year(date.Year).ByDate.TryGetValue(date, out var holiday);
        name = found ? holiday : null;
        return found;
    }

    /// <summary>Whether <paramref name="date"/> is a bank holiday.</summary>
    public bool IsBankHoliday(DateOnly date) => IsBankHoliday(date, out _);

    /// <summary>Whether <paramref name="date"/> is Monday to Friday and not a bank holiday.</summary>
    public bool IsWorkingDay(DateOnly date) => !IsWeekend(date) && !IsBankHoliday(date);

    /// <summary>The bank holidays of <paramref name="year"/>, in date order.</summary>
    public IReadOnlyList<(DateOnly Date, string Name)> For(int year) => Year(year).InOrder;

    /// <summary>Easter Sunday of <paramref name="year"/> in the Gregorian calendar (the anonymous algorithm, as Meeus gives it).</summary>
    public static DateOnly EasterSunday(int year)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(year, 1583); // the first full year of the Gregorian calendar
        ArgumentOutOfRangeException.ThrowIfGreaterThan(year, DateOnly.MaxValue.Year);
        var a = year % 19;
        var b = year / 100;
        var c = year % 100;
        var d = b / 4;
        var e = b % 4;
        var f = (b + 8) / 25;
        var g = (b - f + 1) / 3;
        var h = ((19 * a) + b - d - g + 15) % 30;
        var i = c / 4;
        var k = c % 4;
        var l = (32 + (2 * e) + (2 * i) - h - k) % 7;
        var m = (a + (11 * h) + (22 * l)) / 451;
        var month = (h + l - (7 * m) + 114) / 31;
        var day = ((h + l - (7 * m) + 114) % 31) + 1;
        return new DateOnly(year, month, day);
    }

    /// <summary>The usual bank holidays of <paramref name="year"/> by their rules alone, without one-off changes, in date order.</summary>
    public static IReadOnlyList<(DateOnly Date, string Name)> UsualFor(int year)
    {
        ThrowIfNotServed(year);
        var holidays = new List<(DateOnly Date, string Name)>();

        var newYear = new DateOnly(year, 1, 1);
        holidays.Add(newYear.DayOfWeek switch
        {
            DayOfWeek.Saturday => (newYear.AddDays(2), NewYearsDay + Substitute),
            DayOfWeek.Sunday => (newYear.AddDays(1), NewYearsDay + Substitute),
            _ => (newYear, NewYearsDay),
        });

        var easter = EasterSunday(year);
        holidays.Add((easter.AddDays(-2), GoodFriday));
        holidays.Add((easter.AddDays(1), EasterMonday));
        holidays.Add((FirstMonday(year, 5), EarlyMayBankHoliday));
        holidays.Add((LastMonday(year, 5), SpringBankHoliday));
        holidays.Add((LastMonday(year, 8), SummerBankHoliday));

        // Substitutes go to the next weekdays not already taken: Boxing Day keeps the 26th when only Christmas Day is lost.
        var christmas = new DateOnly(year, 12, 25);
        holidays.AddRange(christmas.DayOfWeek switch
        {
            DayOfWeek.Friday => [(christmas, ChristmasDay), (christmas.AddDays(3), BoxingDay + Substitute)],
            DayOfWeek.Saturday => [(christmas.AddDays(2), ChristmasDay + Substitute), (christmas.AddDays(3), BoxingDay + Substitute)],
            DayOfWeek.Sunday => [(christmas.AddDays(1), BoxingDay), (christmas.AddDays(2), ChristmasDay + Substitute)],
            _ => new (DateOnly, string)[] { (christmas, ChristmasDay), (christmas.AddDays(1), BoxingDay) },
        });
        return holidays;
    }

    internal static bool IsWeekend(DateOnly date) => date.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;

    internal static void ThrowIfNotServed(int year)
    {
        if (year < FirstYear || year > DateOnly.MaxValue.Year)
        {
            throw new ArgumentOutOfRangeException(
                nameof(year), year, $"Bank holidays are known from {FirstYear} to {DateOnly.MaxValue.Year}.");
        }
    }

    private YearOfHolidays Year(int year) => years.GetOrAdd(year, y =>
    {
        var changes = changesByYear[y].ToList();
        var movedAway = changes.Where(c => c.MovedFrom is { } from && from.Year == y).Select(c => c.MovedFrom!.Value).ToHashSet();
        var holidays = UsualFor(y)
            .Where(h => !movedAway.Contains(h.Date))
            .Concat(changes.Where(c => c.Date.Year == y).Select(c => (c.Date, c.Name)))
            .OrderBy(h => h.Date)
            .ToList();
        return new YearOfHolidays(holidays, holidays.ToDictionary(h => h.Date, h => h.Name));
    });

    private static DateOnly FirstMonday(int year, int month)
    {
        var first = new DateOnly(year, month, 1);
        return first.AddDays(((int)DayOfWeek.Monday - (int)first.DayOfWeek + 7) % 7);
    }

    private static DateOnly LastMonday(int year, int month)
    {
        var last = new DateOnly(year, month, DateTime.DaysInMonth(year, month));
        return last.AddDays(-(((int)last.DayOfWeek - (int)DayOfWeek.Monday + 7) % 7));
    }

    private sealed record YearOfHolidays(IReadOnlyList<(DateOnly Date, string Name)> InOrder, IReadOnlyDictionary<DateOnly, string> ByDate);
}
