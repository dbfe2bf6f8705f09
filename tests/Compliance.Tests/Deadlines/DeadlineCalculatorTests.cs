using System.Globalization;
using Compliance.Deadlines;

namespace Compliance.Tests.Deadlines;

public sealed class DeadlineCalculatorTests
{
    private readonly DeadlineCalculator calculator = new(EnglandAndWalesBankHolidays.Default);

    private static DateOnly D(string iso) => DateOnly.ParseExact(iso, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static DateOnly? OptionalD(string? iso) => iso is null ? null : D(iso);

    [Theory]
    // The ICO's examples.
    [InlineData("2025-09-03", "2025-10-03")] // 3 September → 3 October
    [InlineData("2025-03-31", "2025-04-30")] // 31 March → 30 April: there is no 31 April
    [InlineData("2025-01-30", "2025-02-28")] // 30 January → 28 February
    [InlineData("2024-01-30", "2024-02-29")] // … or 29 February in a leap year
    [InlineData("2028-01-30", "2028-02-29")]
    [InlineData("2026-09-03", "2026-10-05")] // 3 October 2026 is a Saturday → Monday
    // Month ends and 29 February.
    [InlineData("2024-01-31", "2024-02-29")]
    [InlineData("2026-01-31", "2026-03-02")] // 28 February 2026 is a Saturday
    [InlineData("2027-01-29", "2027-03-01")] // no 29 February 2027; the 28th is a Sunday
    [InlineData("2028-01-31", "2028-02-29")]
    [InlineData("2024-05-31", "2024-07-01")] // 30 June 2024 is a Sunday
    [InlineData("2025-08-31", "2025-09-30")]
    [InlineData("2029-10-31", "2029-11-30")]
    [InlineData("2024-02-28", "2024-03-28")]
    [InlineData("2024-02-29", "2024-04-02")] // 29 March 2024 is Good Friday
    [InlineData("2028-02-29", "2028-03-29")]
    [InlineData("2030-12-31", "2031-01-31")]
    [InlineData("2028-03-31", "2028-05-02")] // no 31 April; 30 April 2028 is a Sunday, 1 May the early May bank holiday
    // Christmas to New Year.
    [InlineData("2024-11-25", "2024-12-27")]
    [InlineData("2025-11-25", "2025-12-29")]
    [InlineData("2026-11-25", "2026-12-29")] // Christmas on a Friday, Boxing Day substituted to Monday 28th
    [InlineData("2026-11-26", "2026-12-29")]
    [InlineData("2027-11-25", "2027-12-29")] // Christmas on a Saturday: 27th and 28th are bank holidays
    [InlineData("2027-11-28", "2027-12-29")]
    [InlineData("2027-12-01", "2028-01-04")] // New Year's Day 2028 is a Saturday, substituted to Monday 3rd
    [InlineData("2028-11-25", "2028-12-27")]
    [InlineData("2028-11-30", "2029-01-02")]
    [InlineData("2029-11-26", "2029-12-27")]
    [InlineData("2029-12-01", "2030-01-02")]
    [InlineData("2030-11-25", "2030-12-27")]
    [InlineData("2024-12-01", "2025-01-02")]
    [InlineData("2025-12-01", "2026-01-02")]
    [InlineData("2026-12-01", "2027-01-04")]
    // Easter, every year from 2024 to 2030.
    [InlineData("2024-03-01", "2024-04-02")] // Easter Monday
    [InlineData("2025-03-18", "2025-04-22")] // Good Friday
    [InlineData("2026-03-03", "2026-04-07")] // Good Friday
    [InlineData("2026-03-06", "2026-04-07")] // Easter Monday
    [InlineData("2027-02-26", "2027-03-30")] // Good Friday
    [InlineData("2028-03-14", "2028-04-18")] // Good Friday
    [InlineData("2028-03-17", "2028-04-18")] // Easter Monday
    [InlineData("2029-03-02", "2029-04-03")] // Easter Monday
    [InlineData("2030-03-19", "2030-04-23")] // Good Friday
    [InlineData("2030-03-22", "2030-04-23")] // Easter Monday
    // A bank holiday on the Monday after a weekend.
    [InlineData("2024-04-25", "2024-05-28")] // spring
    [InlineData("2025-07-23", "2025-08-26")] // summer
    [InlineData("2029-04-05", "2029-05-08")] // early May
    [InlineData("2030-07-24", "2030-08-27")] // summer
    [InlineData("2027-04-30", "2027-06-01")] // Sunday, then the spring bank holiday
    [InlineData("2026-07-31", "2026-09-01")] // the summer bank holiday itself
    // One-off days from the data file.
    [InlineData("2022-05-02", "2022-06-06")] // moved spring bank holiday, then the Platinum Jubilee, then a weekend
    [InlineData("2022-04-30", "2022-05-30")] // the usual spring bank holiday day was a working day in 2022
    [InlineData("2022-08-19", "2022-09-20")] // State Funeral of Queen Elizabeth II
    [InlineData("2023-04-08", "2023-05-09")] // Coronation of King Charles III
    [InlineData("2020-04-08", "2020-05-11")] // early May moved to Friday 8 May (VE Day)
    [InlineData("2020-04-04", "2020-05-04")] // … leaving Monday 4 May a working day
    public void The_due_date_is_one_month_on_rolled_to_a_working_day(string receivedOn, string dueDate)
    {
        // Act
        var deadline = calculator.Calculate(new DeadlineInput(D(receivedOn)));

        // Assert
        deadline.ClockStart.ShouldBe(D(receivedOn));
        deadline.DueDate.ShouldBe(D(dueDate));
        deadline.PausedDays.ShouldBe(0);
        deadline.Extended.ShouldBeFalse();
        deadline.Derivation[^1].ShouldBe($"due {dueDate}");
    }

    [Fact]
    public void The_derivation_says_why_step_by_step()
    {
        // Act
        var deadline = calculator.Calculate(new DeadlineInput(D("2026-03-03")));

        // Assert
        deadline.Derivation.ShouldBe(
        [
            "received 2026-03-03 (clock starts: day one)",
            "one month → 2026-04-03",
            "2026-04-03 is Good Friday (bank holiday)",
            "2026-04-04 is a Saturday",
            "2026-04-05 is a Sunday",
            "2026-04-06 is Easter Monday (bank holiday)",
            "due 2026-04-07",
        ]);
    }

    [Theory]
    [InlineData("2025-03-31", "one month → 2025-04-30 (no 31 April: last day of the month)")]
    [InlineData("2025-01-30", "one month → 2025-02-28 (no 30 February: last day of the month)")]
    [InlineData("2024-01-31", "one month → 2024-02-29 (no 31 February: last day of the month)")]
    [InlineData("2024-01-29", "one month → 2024-02-29")]
    public void A_missing_corresponding_date_is_named(string receivedOn, string line) =>
        calculator.Calculate(new DeadlineInput(D(receivedOn))).Derivation[1].ShouldBe(line);

    [Fact]
    public void Substitute_days_are_named_in_the_derivation()
    {
        // Act
        var deadline = calculator.Calculate(new DeadlineInput(D("2027-11-25")));

        // Assert
        deadline.Derivation.ShouldBe(
        [
            "received 2027-11-25 (clock starts: day one)",
            "one month → 2027-12-25",
            "2027-12-25 is a Saturday",
            "2027-12-26 is a Sunday",
            "2027-12-27 is Christmas Day (substitute day) (bank holiday)",
            "2027-12-28 is Boxing Day (substitute day) (bank holiday)",
            "due 2027-12-29",
        ]);
    }

    [Fact]
    public void The_clock_starts_on_identity_confirmation()
    {
        // Act
        var deadline = calculator.Calculate(new DeadlineInput(D("2026-03-03"), IdentityConfirmedOn: D("2026-03-10")));

        // Assert
        deadline.ClockStart.ShouldBe(D("2026-03-10"));
        deadline.DueDate.ShouldBe(D("2026-04-10"));
        deadline.Derivation.ShouldBe(
        [
            "received 2026-03-03",
            "clock started on identity confirmation 2026-03-10 (day one)",
            "one month → 2026-04-10",
            "due 2026-04-10",
        ]);
    }

    [Fact]
    public void Identity_confirmed_on_the_day_of_receipt_starts_the_clock_that_day()
    {
        // Act
        var deadline = calculator.Calculate(new DeadlineInput(D("2025-09-03"), IdentityConfirmedOn: D("2025-09-03")));

        // Assert
        deadline.ClockStart.ShouldBe(D("2025-09-03"));
        deadline.DueDate.ShouldBe(D("2025-10-03"));
    }

    [Fact]
    public void A_pause_moves_the_due_date_by_the_days_paused()
    {
        // Act
        var deadline = calculator.Calculate(new DeadlineInput(D("2026-03-03"), Pauses: [new ClockPause(D("2026-03-10"), D("2026-03-15"))]));

        // Assert
        deadline.DueDate.ShouldBe(D("2026-04-08"));
        deadline.PausedDays.ShouldBe(5);
        deadline.Derivation.ShouldBe(
        [
            "received 2026-03-03 (clock starts: day one)",
            "one month → 2026-04-03",
            "paused 2026-03-10 to 2026-03-15 (5 days) → 2026-04-08",
            "due 2026-04-08",
        ]);
    }

    [Theory]
    // Two pauses add up, whatever order they are given in.
    [InlineData("2025-09-03", "2025-09-20", "2025-09-22", "2025-09-05", "2025-09-08", "2025-10-08", 5)]
    // Pauses may touch: the answer and a new question on the same day.
    [InlineData("2025-09-03", "2025-09-05", "2025-09-08", "2025-09-08", "2025-09-10", "2025-10-08", 5)]
    // A pause on the last day of the period.
    [InlineData("2025-09-03", "2025-10-03", "2025-10-06", null, null, "2025-10-06", 3)]
    // Paused days come before the roll: 27 March + 3 = Good Friday 2029, then the weekend and Easter Monday.
    [InlineData("2029-02-27", "2029-03-01", "2029-03-04", null, null, "2029-04-03", 3)]
    // A pause answered the day it was asked stops nothing.
    [InlineData("2025-09-03", "2025-09-05", "2025-09-05", null, null, "2025-10-03", 0)]
    // A clarification asked for after the period had run out gives no time back.
    [InlineData("2025-09-03", "2025-10-06", "2025-10-08", null, null, "2025-10-03", 0)]
    public void Pauses_add_up_and_are_applied_before_rolling(
        string receivedOn, string from1, string to1, string? from2, string? to2, string dueDate, int pausedDays)
    {
        // Arrange
        List<ClockPause> pauses = [new(D(from1), D(to1))];
        if (from2 is not null)
        {
            pauses.Add(new ClockPause(D(from2), OptionalD(to2)));
        }

        // Act
        var deadline = calculator.Calculate(new DeadlineInput(D(receivedOn), Pauses: pauses));

        // Assert
        deadline.DueDate.ShouldBe(D(dueDate));
        deadline.PausedDays.ShouldBe(pausedDays);
    }

    [Fact]
    public void A_pause_after_the_period_ran_out_is_shown_as_not_counted()
    {
        // Act
        var deadline = calculator.Calculate(new DeadlineInput(D("2025-09-03"), Pauses: [new ClockPause(D("2025-10-06"), D("2025-10-07"))]));

        // Assert
        deadline.Derivation.ShouldContain("paused 2025-10-06 to 2025-10-07 (1 day) after the period ended on 2025-10-03: not counted");
        deadline.DueDate.ShouldBe(D("2025-10-03"));
    }

    [Fact]
    public void A_pause_still_open_leaves_no_due_date()
    {
        // Act
        var deadline = calculator.Calculate(new DeadlineInput(
            D("2025-09-03"),
            Pauses: [new ClockPause(D("2025-09-05"), D("2025-09-08")), new ClockPause(D("2025-09-20"))]));

        // Assert
        deadline.DueDate.ShouldBeNull();
        deadline.PausedDays.ShouldBe(3);
        deadline.Derivation.ShouldBe(
        [
            "received 2025-09-03 (clock starts: day one)",
            "one month → 2025-10-03",
            "paused 2025-09-05 to 2025-09-08 (3 days) → 2025-10-06",
            "clock paused since 2025-09-20: no due date until the answer restarts it",
        ]);
    }

    [Fact]
    public void An_open_pause_begun_after_the_period_ran_out_does_not_hide_the_due_date()
    {
        // Act
        var deadline = calculator.Calculate(new DeadlineInput(D("2025-09-03"), Pauses: [new ClockPause(D("2025-10-10"))]));

        // Assert
        deadline.DueDate.ShouldBe(D("2025-10-03"));
        deadline.Derivation.ShouldContain("paused since 2025-10-10 after the period ended on 2025-10-03: not counted");
    }

    [Theory]
    [InlineData("2025-09-03", "2025-12-03")]
    [InlineData("2026-03-03", "2026-06-03")]
    [InlineData("2025-11-30", "2026-03-02")] // no 30 February; the 28th is a Saturday
    [InlineData("2024-11-30", "2025-02-28")] // no 30 February
    [InlineData("2023-11-29", "2024-02-29")] // 29 February 2024 exists
    [InlineData("2027-11-30", "2028-02-29")] // no 30 February 2028: the 29th
    [InlineData("2026-09-25", "2026-12-29")] // Christmas on a Friday, Boxing Day on Monday 28th
    public void An_extension_makes_it_three_months(string receivedOn, string dueDate)
    {
        // Act
        var deadline = calculator.Calculate(new DeadlineInput(D(receivedOn), Extended: true));

        // Assert
        deadline.DueDate.ShouldBe(D(dueDate));
        deadline.Extended.ShouldBeTrue();
    }

    [Fact]
    public void An_extension_is_derived_from_the_clock_start_then_pauses_then_the_roll()
    {
        // Act
        var deadline = calculator.Calculate(new DeadlineInput(
            D("2025-11-28"),
            IdentityConfirmedOn: D("2025-11-30"),
            Pauses: [new ClockPause(D("2026-01-05"), D("2026-01-06"))],
            Extended: true));

        // Assert
        deadline.DueDate.ShouldBe(D("2026-03-02"));
        deadline.Derivation.ShouldBe(
        [
            "received 2025-11-28",
            "clock started on identity confirmation 2025-11-30 (day one)",
            "extended: three months → 2026-02-28 (no 30 February: last day of the month)",
            "paused 2026-01-05 to 2026-01-06 (1 day) → 2026-03-01",
            "2026-03-01 is a Sunday",
            "due 2026-03-02",
        ]);
    }

    [Fact]
    public void A_pause_after_the_first_month_still_counts_within_an_extension()
    {
        // Act
        var deadline = calculator.Calculate(new DeadlineInput(
            D("2025-09-03"), Pauses: [new ClockPause(D("2025-11-01"), D("2025-11-04"))], Extended: true));

        // Assert
        deadline.DueDate.ShouldBe(D("2025-12-08")); // 3 December + 3 = Saturday 6th → Monday 8th
        deadline.PausedDays.ShouldBe(3);
    }

    [Theory]
    [InlineData("2026-03-03", "2026-04-07")] // Easter rolled: an extension can be decided up to the rolled date
    [InlineData("2025-09-03", "2025-10-03")]
    public void The_first_month_ends_on_the_unextended_due_date(string clockStart, string end) =>
        calculator.FirstMonthEnd(D(clockStart), []).ShouldBe(D(end));

    [Fact]
    public void The_first_month_is_lengthened_by_pauses_within_it_and_unknown_while_one_is_open()
    {
        // Act
        var paused = calculator.FirstMonthEnd(D("2026-03-03"), [new ClockPause(D("2026-03-10"), D("2026-03-15"))]);
        var open = calculator.FirstMonthEnd(D("2026-03-03"), [new ClockPause(D("2026-03-10"))]);
        var later = calculator.FirstMonthEnd(D("2026-03-03"), [new ClockPause(D("2026-05-10"), D("2026-05-20"))]);

        // Assert
        paused.ShouldBe(D("2026-04-08"));
        open.ShouldBeNull();
        later.ShouldBe(D("2026-04-07"));
    }

    [Theory]
    [InlineData("2026-03-03", null, null, "2026-03-03", true)]
    [InlineData("2026-03-03", null, null, "2026-04-03", true)]
    [InlineData("2026-03-03", null, null, "2026-04-07", true)] // the last day, after Easter
    [InlineData("2026-03-03", null, null, "2026-04-08", false)]
    [InlineData("2026-03-03", "2026-03-10", "2026-03-15", "2026-04-08", true)]
    [InlineData("2026-03-03", "2026-03-10", "2026-03-15", "2026-04-09", false)]
    [InlineData("2026-03-03", "2026-03-10", null, "2026-06-01", true)] // the clock has stood still since 10 March
    [InlineData("2026-03-03", "2026-04-10", null, "2026-04-20", false)] // paused after the first month ran out
    [InlineData("2026-03-03", "2026-05-01", "2026-05-05", "2026-04-08", false)] // a later pause is not yet known on the 8th
    public void Whether_today_is_within_the_first_month(string clockStart, string? from, string? to, string today, bool expected)
    {
        // Arrange
        ClockPause[] pauses = from is null ? [] : [new ClockPause(D(from), OptionalD(to))];

        // Act
        var within = calculator.IsWithinFirstMonth(D(clockStart), D(today), pauses);

        // Assert
        within.ShouldBe(expected);
    }

    [Fact]
    public void No_pause_list_means_no_pauses()
    {
        // Act
        var deadline = calculator.Calculate(new DeadlineInput(D("2025-09-03"), null, null, false));

        // Assert
        deadline.DueDate.ShouldBe(D("2025-10-03"));
    }

    [Theory]
    [InlineData("2026-03-03", "2026-03-02", null, null, null, null,
        "Identity confirmed on 2026-03-02, before the request was received on 2026-03-03.")]
    [InlineData("2026-03-03", null, "2026-03-10", "2026-03-08", null, null, "The pause 2026-03-10 to 2026-03-08 ends before it starts.")]
    [InlineData("2026-03-03", null, "2026-03-01", "2026-03-05", null, null,
        "The pause 2026-03-01 to 2026-03-05 starts before the clock start 2026-03-03.")]
    [InlineData("2026-03-03", "2026-03-10", "2026-03-05", "2026-03-12", null, null,
        "The pause 2026-03-05 to 2026-03-12 starts before the clock start 2026-03-10.")]
    [InlineData("2026-03-03", null, "2026-03-05", "2026-03-10", "2026-03-08", "2026-03-12",
        "The pauses 2026-03-05 to 2026-03-10 and 2026-03-08 to 2026-03-12 overlap.")]
    [InlineData("2026-03-03", null, "2026-03-05", null, "2026-03-08", "2026-03-12",
        "The pauses 2026-03-05 (still open) and 2026-03-08 to 2026-03-12 overlap.")]
    [InlineData("2026-03-03", null, "2026-03-05", null, "2026-03-05", null,
        "The pauses 2026-03-05 (still open) and 2026-03-05 (still open) overlap.")]
    public void Invalid_input_is_refused_with_what_is_wrong(
        string receivedOn, string? identityConfirmedOn, string? from1, string? to1, string? from2, string? to2, string message)
    {
        // Arrange
        List<ClockPause> pauses = [];
        if (from1 is not null)
        {
            pauses.Add(new ClockPause(D(from1), OptionalD(to1)));
        }

        if (from2 is not null)
        {
            pauses.Add(new ClockPause(D(from2), OptionalD(to2)));
        }

        var input = new DeadlineInput(D(receivedOn), OptionalD(identityConfirmedOn), pauses);

        // Act
        var error = Should.Throw<ArgumentException>(() => calculator.Calculate(input));

        // Assert
        error.Message.ShouldStartWith(message);
    }

    [Fact]
    public void The_first_month_checks_refuse_invalid_input_too()
    {
        // Act and Assert
        Should.Throw<ArgumentException>(() => calculator.FirstMonthEnd(D("2026-03-03"), [new ClockPause(D("2026-03-01"), D("2026-03-04"))]));
        Should.Throw<ArgumentException>(() => calculator.IsWithinFirstMonth(D("2026-03-03"), D("2026-03-02"), []))
            .Message.ShouldStartWith("Today (2026-03-02) is before the clock start 2026-03-03.");
    }
}
